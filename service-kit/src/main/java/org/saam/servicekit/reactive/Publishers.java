package org.saam.servicekit.reactive;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Waiting for a reactive-streams publisher (the MongoDB driver's results) from blocking code: the
 * one helper the services use for that. Many items: {@link PublisherIterator}.
 */
public final class Publishers {
  private Publishers() {}

  /** How long {@link #await} waits. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /**
   * The first item, or {@code null} when the publisher completes empty; the rest is not asked for.
   *
   * @throws IOException when the publisher fails, or nothing comes within {@code timeout}
   */
  public static <T> T first(Publisher<T> publisher, Duration timeout) throws IOException {
    CompletableFuture<T> result = new CompletableFuture<>();
    publisher.subscribe(
        new Subscriber<>() {
          @Override
          public void onSubscribe(Subscription subscription) {
            subscription.request(1);
          }

          @Override
          public void onNext(T item) {
            result.complete(item);
          }

          @Override
          public void onError(Throwable error) {
            result.completeExceptionally(error);
          }

          @Override
          public void onComplete() {
            result.complete(null);
          }
        });
    try {
      return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for MongoDB", e);
    } catch (ExecutionException e) {
      throw new IOException("MongoDB operation failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("MongoDB did not answer within " + timeout.toSeconds() + " s", e);
    }
  }

  /**
   * {@link #first} with {@link #DEFAULT_TIMEOUT}, for callers that cannot go on without the answer
   * (index creation at start, a health ping): a failure is an {@link IllegalStateException}.
   */
  public static <T> T await(Publisher<T> publisher) {
    try {
      return first(publisher, DEFAULT_TIMEOUT);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
