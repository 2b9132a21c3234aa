package io.promptloop.ingest.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.promptloop.ingest.ingestion.domain.Decoded;
import io.promptloop.ingest.ingestion.domain.Events;
import io.promptloop.ingest.ingestion.domain.TurnRecorded;
import io.promptloop.ingest.ingestion.domain.TurnRef;
import io.promptloop.ingest.ingestion.persistence.EventWriter;
import io.promptloop.ingest.ingestion.persistence.EventWriter.WriteResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

class IngestionServiceTest {

    private final EventWriter writer = mock(EventWriter.class);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final IngestionService service =
            new IngestionService(writer, new TransactionTemplate(new NoTransactions()), meters);
    private final UUID session = UUID.randomUUID();

    @Test
    void shouldPlanABatchAsIfItsTurnsWereNewWithoutLookingThemUp() {
        TurnRecorded t1 = Events.turn(session, 1);
        when(writer.findStoredTurns(Set.of())).thenReturn(Map.of());
        when(writer.writeAssumingNewTurns(List.of(t1), Map.of(), Map.of()))
                .thenReturn(Optional.of(new WriteResult(1, 0)));

        IngestionService.Outcome outcome = service.ingest(List.of(new Decoded.Valid(t1)), false);

        assertThat(outcome.written()).isEqualTo(new WriteResult(1, 0));
        assertThat(outcome.rejectedIndex()).isEqualTo(-1);
        verify(writer, never()).findStoredTurns(Set.of(t1.ref()));
        verify(writer, never()).write(anyList(), anyMap(), anyMap());
        verify(writer, never()).commitAsynchronously();
        assertThat(meters.counter("promptloop.ingest.replans").count()).isZero();
    }

    @Test
    void shouldAskForAnAsynchronousCommitFirstInTheTransactionWhenTold() {
        TurnRecorded t1 = Events.turn(session, 1);
        when(writer.findStoredTurns(Set.of())).thenReturn(Map.of());
        when(writer.writeAssumingNewTurns(List.of(t1), Map.of(), Map.of()))
                .thenReturn(Optional.of(new WriteResult(1, 0)));

        service.ingest(List.of(new Decoded.Valid(t1)), true);

        var order = inOrder(writer);
        order.verify(writer).commitAsynchronously();
        order.verify(writer).writeAssumingNewTurns(List.of(t1), Map.of(), Map.of());
    }

    @Test
    void shouldLookTheTurnsUpAndPlanAgainWhenTheAssumptionFailsAndKeepLookingUpForAWhile() {
        TurnRecorded t1 = Events.turn(session, 1);
        TurnRecorded stored = Events.turn(session, 1); // holds turn 1 in the database
        Map<TurnRef, UUID> found = Map.of(t1.ref(), stored.eventId());
        when(writer.findStoredTurns(Set.of())).thenReturn(Map.of());
        when(writer.writeAssumingNewTurns(anyList(), anyMap(), anyMap())).thenReturn(Optional.empty());
        when(writer.findStoredTurns(Set.of(t1.ref()))).thenReturn(found);
        when(writer.write(List.of(), Map.of(), found)).thenReturn(WriteResult.NONE);

        IngestionService.Outcome outcome = service.ingest(List.of(new Decoded.Valid(t1)), false);

        // the plan with the lookup rejects the turn: its number is held by another event
        assertThat(outcome.rejectedIndex()).isZero();
        assertThat(outcome.rejection().getMessage()).contains("already held by event " + stored.eventId());
        var order = inOrder(writer);
        order.verify(writer).writeAssumingNewTurns(List.of(t1), Map.of(), Map.of());
        order.verify(writer).findStoredTurns(Set.of(t1.ref()));
        order.verify(writer).write(List.of(), Map.of(), found);
        assertThat(meters.counter("promptloop.ingest.replans").count()).isEqualTo(1);

        // the next batches are looked up at once (a redelivery comes in runs), then the assumption is tried again
        TurnRecorded t2 = Events.turn(session, 2);
        when(writer.findStoredTurns(Set.of(t2.ref()))).thenReturn(Map.of());
        when(writer.write(List.of(t2), Map.of(), Map.of())).thenReturn(new WriteResult(1, 0));
        for (int i = 0; i < IngestionService.LOOKUPS_AFTER_A_REFUSAL; i++) {
            assertThat(service.ingest(List.of(new Decoded.Valid(t2)), false).written())
                    .isEqualTo(new WriteResult(1, 0));
        }
        verify(writer, times(1)).writeAssumingNewTurns(anyList(), anyMap(), anyMap());
        service.ingest(List.of(new Decoded.Valid(t2)), false);
        verify(writer).writeAssumingNewTurns(eq(List.of(t2)), any(), any());
    }

    /** Runs the callback without a transaction: the writer here is a mock. */
    private static final class NoTransactions extends AbstractPlatformTransactionManager {
        @Override
        protected Object doGetTransaction() {
            return new Object();
        }

        @Override
        protected void doBegin(Object transaction, TransactionDefinition definition) {}

        @Override
        protected void doCommit(DefaultTransactionStatus status) {}

        @Override
        protected void doRollback(DefaultTransactionStatus status) {}
    }
}
