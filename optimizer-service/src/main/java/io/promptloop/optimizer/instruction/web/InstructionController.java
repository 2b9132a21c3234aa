package io.promptloop.optimizer.instruction.web;

import io.promptloop.optimizer.instruction.InstructionRepository;
import io.promptloop.optimizer.instruction.InstructionRepository.Instruction;
import io.promptloop.support.web.InvalidRequestException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The instruction registry: list versions, and register an operator's baseline (optimizer type {@code manual}). */
@RestController
@RequestMapping("/api/instructions")
class InstructionController {

    static final int MAX_TEXT = 20_000;

    private final InstructionRepository instructions;

    InstructionController(InstructionRepository instructions) {
        this.instructions = instructions;
    }

    record Register(String agent, String predictor, String text, Boolean activate) {}

    @GetMapping
    List<Instruction> list(
            @RequestParam(required = false) String agent, @RequestParam(required = false) String predictor) {
        return instructions.list(agent, predictor);
    }

    @PostMapping
    @Transactional
    ResponseEntity<Instruction> register(@RequestBody Register body) {
        if (body == null
                || body.agent() == null
                || body.agent().isBlank()
                || body.agent().length() > 100) {
            throw new InvalidRequestException("agent is required (1..100 characters)");
        }
        if (body.predictor() != null
                && (body.predictor().isBlank() || body.predictor().length() > 100)) {
            throw new InvalidRequestException("predictor must be null or 1..100 characters");
        }
        if (body.text() == null || body.text().isBlank() || body.text().length() > MAX_TEXT) {
            throw new InvalidRequestException("text is required (1.." + MAX_TEXT + " characters)");
        }
        Instruction registered = instructions.register(
                body.agent(), body.predictor(), body.text(), "manual", null, null, null, null, null);
        boolean activate = body.activate() == null
                ? instructions.active(body.agent(), body.predictor()).isEmpty()
                : body.activate();
        if (activate) instructions.activate(registered.id());
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(instructions.find(registered.id()).orElseThrow());
    }
}
