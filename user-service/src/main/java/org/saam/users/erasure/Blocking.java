package org.saam.users.erasure;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** Waits for the first item of a reactive-streams publisher (the MongoDB driver's results). */
public final class Blocking {
  private Blocking() {}

  /** The first item, or {@code null} when the publisher completes empty. */
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
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("MongoDB operation failed: " + e.getMessage(), e);
    }
  }
}
