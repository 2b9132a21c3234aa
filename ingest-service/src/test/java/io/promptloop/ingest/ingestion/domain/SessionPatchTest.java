package io.promptloop.ingest.ingestion.domain;

import static io.promptloop.ingest.ingestion.domain.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SessionPatchTest {

    @Test
    void shouldOpenASessionImplicitlyFromItsFirstTurn() {
        UUID session = UUID.randomUUID();
        List<SessionPatch> patches = SessionPatch.of(List.of(Events.turn(session, 1), Events.turn(session, 2)));

        assertThat(patches).singleElement().satisfies(p -> {
            assertThat(p.started()).isNull();
            assertThat(p.earliestEvent()).isEqualTo(T0.plusSeconds(1));
            assertThat(p.endedAt()).isNull();
        });
    }

    @Test
    void shouldMergeStartTurnsAndEndIntoOnePatchPerSession() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        SessionStarted start = Events.started(a, T0.plusSeconds(5)); // arrives after the first turn
        List<SessionPatch> patches = SessionPatch.of(List.of(
                Events.turn(a, 1),
                start,
                Events.turn(b, 1),
                Events.ended(a, T0.plusSeconds(50), "done"),
                Events.ended(a, T0.plusSeconds(40), "earlier end, redelivered late")));

        assertThat(patches).hasSize(2);
        SessionPatch pa = patches.getFirst();
        assertThat(pa.sessionId()).isEqualTo(a);
        assertThat(pa.started()).isEqualTo(start);
        assertThat(pa.earliestEvent()).isEqualTo(T0.plusSeconds(1));
        assertThat(pa.endedAt()).isEqualTo(T0.plusSeconds(50));
        assertThat(pa.endReason()).isEqualTo("done");
        assertThat(patches.get(1).sessionId()).isEqualTo(b);
    }
}
