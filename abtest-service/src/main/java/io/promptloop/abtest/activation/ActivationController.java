package io.promptloop.abtest.activation;

import io.promptloop.abtest.experiment.ExperimentException;
import io.promptloop.support.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** An operator routes a predictor to one of its instruction versions (OPERATOR: every POST). */
@RestController
@RequestMapping("/api/instructions")
class ActivationController {

    private final InstructionActivation activation;

    ActivationController(InstructionActivation activation) {
        this.activation = activation;
    }

    /**
     * What the routing now says.
     *
     * @param previousInstructionId the version active before, or null
     */
    record ActivationView(
            UUID instructionId,
            String agent,
            String predictor,
            int version,
            UUID previousInstructionId,
            Integer previousVersion,
            String reason) {}

    /** 404: no such instruction; 409: a test is live for its agent/predictor. */
    @PostMapping("/{id}/activate")
    ActivationView activate(@PathVariable UUID id) {
        InstructionActivation.Activated a = activation.activate(id);
        var i = a.instruction();
        return new ActivationView(
                i.id(),
                i.agentName(),
                i.predictorName(),
                i.version(),
                a.previous().map(p -> p.id()).orElse(null),
                a.previous().map(p -> p.version()).orElse(null),
                a.reason());
    }

    @ExceptionHandler(ExperimentException.class)
    ResponseEntity<ProblemDetail> problem(ExperimentException e, HttpServletRequest request) {
        HttpStatus status = e.kind() == ExperimentException.Kind.NOT_FOUND ? HttpStatus.NOT_FOUND : HttpStatus.CONFLICT;
        return ResponseEntity.status(status).body(Problems.problem(status, e.getMessage(), request));
    }
}
