package io.promptloop.console.overview;

import io.promptloop.console.config.ConsoleProperties;
import io.promptloop.console.web.Paging;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Page 1: per agent/predictor the active instruction, the live test and the last runs; for the whole loop the
 * dead letters of the last hour and the consumer lag.
 */
@Controller
class OverviewController {

    static final int RECENT_RUNS = 5;

    private final OverviewRepository repository;
    private final ConsoleProperties properties;
    private final KafkaFigures kafka;

    OverviewController(OverviewRepository repository, ConsoleProperties properties, KafkaFigures kafka) {
        this.repository = repository;
        this.properties = properties;
        this.kafka = kafka;
    }

    @GetMapping("/")
    String overview(@RequestParam(required = false) Integer page, Model model) {
        Paging paging = Paging.of(page, properties.pageSize());
        List<OverviewRepository.AgentOverview> rows = repository.agents(paging.fetch(), paging.offset(), RECENT_RUNS);
        model.addAttribute("agents", rows.stream().limit(paging.size()).toList());
        model.addAttribute("paging", paging);
        model.addAttribute("hasNext", rows.size() > paging.size());
        model.addAttribute("kafka", kafka.lastHour(java.time.Instant.now()));
        return "overview";
    }
}
