package io.promptloop.optimizer.tool.web;

import io.promptloop.optimizer.tool.ToolDescriptionRepository;
import io.promptloop.optimizer.tool.ToolDescriptionRepository.ToolDescription;
import io.promptloop.support.web.InvalidRequestException;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The tool-description registry: list, and register an operator's baseline description of an agent's tool (the
 * first one of a tool becomes active; runs with tool optimization start from the active descriptions).
 */
@RestController
@RequestMapping("/api/tools")
class ToolDescriptionController {

    static final int MAX_TEXT = 10_000;
    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    private final ToolDescriptionRepository tools;

    ToolDescriptionController(ToolDescriptionRepository tools) {
        this.tools = tools;
    }

    record Register(String agent, String tool, String description, Boolean activate) {}

    @GetMapping
    List<ToolDescription> list(
            @RequestParam(required = false) String agent, @RequestParam(required = false) String tool) {
        return tools.list(agent, tool);
    }

    @PostMapping
    @Transactional
    ResponseEntity<ToolDescription> register(@RequestBody Register body) {
        if (body == null
                || body.agent() == null
                || body.agent().isBlank()
                || body.agent().length() > 100) {
            throw new InvalidRequestException("agent is required (1..100 characters)");
        }
        if (body.tool() == null || !TOOL_NAME.matcher(body.tool()).matches()) {
            throw new InvalidRequestException(
                    "tool is required: 1..100 characters of letters, digits, '_', '.' or '-' (the name the agent calls it by)");
        }
        if (body.description() == null
                || body.description().isBlank()
                || body.description().length() > MAX_TEXT) {
            throw new InvalidRequestException("description is required (1.." + MAX_TEXT + " characters)");
        }
        ToolDescription registered = tools.register(body.agent(), body.tool(), body.description(), null, null, null);
        boolean activate = body.activate() == null
                ? tools.list(body.agent(), body.tool()).stream().noneMatch(ToolDescription::active)
                : body.activate();
        if (activate) tools.activate(registered.id());
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(tools.find(registered.id()).orElseThrow());
    }
}
