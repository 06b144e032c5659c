package org.saam.stream.testing;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Wraps a sink so that a subtask fails once, in the first attempt, after it has flushed for at
 * least one checkpoint and then written {@code writesBeforeFailure} more elements. Every subtask is
 * armed, because the stream is keyed by home and a test's one home lands on either. The restarted
 * attempt runs normally. No static state: the attempt number decides.
 */
public final class FailOnceAfterCheckpointSink<T> implements Sink<T> {
  private static final long serialVersionUID = 1L;

  private final Sink<T> delegate;
  private final int writesBeforeFailure;

  public FailOnceAfterCheckpointSink(Sink<T> delegate, int writesBeforeFailure) {
    this.delegate = delegate;
    this.writesBeforeFailure = writesBeforeFailure;
  }

  @Override
  @SuppressWarnings("deprecation") // the connectors implement this variant
  public SinkWriter<T> createWriter(InitContext context) throws IOException {
    SinkWriter<T> writer = delegate.createWriter(context);
    boolean armed = context.getAttemptNumber() == 0;
    return new SinkWriter<>() {
      private boolean checkpointed;
      private int writesSinceCheckpoint;

      @Override
      public void write(T element, Context writeContext) throws IOException, InterruptedException {
        writer.write(element, writeContext);
        if (armed && checkpointed && ++writesSinceCheckpoint >= writesBeforeFailure) {
          throw new IOException("failure injected by the test after a completed flush");
        }
      }

      @Override
      public void flush(boolean endOfInput) throws IOException, InterruptedException {
        writer.flush(endOfInput);
        checkpointed = true;
      }

      @Override
      public void close() throws Exception {
        writer.close();
      }
    };
  }
}
