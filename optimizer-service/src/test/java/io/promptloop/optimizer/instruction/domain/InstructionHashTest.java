package io.promptloop.optimizer.instruction.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstructionHashTest {

    @Test
    void shouldHashTheInstructionAloneWhenNoToolGoesWithIt() {
        assertThat(InstructionHash.ofSystem("Be kind.", Map.of())).isEqualTo(InstructionHash.of("Be kind."));
        assertThat(InstructionHash.ofSystem("Be kind.", null)).isEqualTo(InstructionHash.of("Be kind."));
        assertThat(InstructionHash.of("abc")) // FIPS 180-2 test vector
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void shouldTellSystemsApartByEveryToolDescriptionButNotByTheirOrder() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "first");
        ab.put("b", "second");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "second");
        ba.put("a", "first");
        String system = InstructionHash.ofSystem("Be kind.", ab);

        assertThat(system).hasSize(64).isEqualTo(InstructionHash.ofSystem("Be kind.", ba));
        assertThat(system).isNotEqualTo(InstructionHash.of("Be kind."));
        assertThat(system).isNotEqualTo(InstructionHash.ofSystem("Be kind.", Map.of("a", "first", "b", "second!")));
        // moving text between the parts changes the identity (lengths are part of the encoding)
        assertThat(InstructionHash.ofSystem("x", Map.of("a", "yz")))
                .isNotEqualTo(InstructionHash.ofSystem("x", Map.of("ay", "z")));
    }
}
