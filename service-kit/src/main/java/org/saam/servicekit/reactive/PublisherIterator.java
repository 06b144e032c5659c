package org.saam.servicekit.reactive;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Reads a reactive-streams publisher (the MongoDB driver's cursor) as a blocking iterator, asking
 * for {@value #BATCH} items at a time: memory stays bounded however long the result is. Waits at
 * most 60 s for each item; a failure of the publisher is thrown as an {@link IllegalStateException}
 * naming MongoDB, whose drivers are what the services read this way.
 */
public final class PublisherIterator<T> implements Iterator<T>, AutoCloseable {
  private static final int BATCH = 64;
  private static final Object END = new Object();

  private final BlockingQueue<Object> items = new ArrayBlockingQueue<>(BATCH + 2);
  private Subscription subscription;
  private int consumedSinceRequest;
  private Object next;

  public PublisherIterator(Publisher<T> publisher) {
    publisher.subscribe(
        new Subscriber<T>() {
          @Override
          public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(BATCH);
          }

          @Override
          public void onNext(T item) {
            items.add(item);
          }

          @Override
          public void onError(Throwable error) {
            items.add(error);
          }

          @Override
          public void onComplete() {
            items.add(END);
          }
        });
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      try {
        next = items.poll(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading from MongoDB", e);
      }
      if (next == null) {
        throw new IllegalStateException("MongoDB did not answer within 60 s");
      }
      if (next instanceof Throwable error) {
        throw new IllegalStateException("MongoDB query failed: " + error.getMessage(), error);
      }
      if (next != END && ++consumedSinceRequest == BATCH) {
        consumedSinceRequest = 0;
        subscription.request(BATCH);
      }
    }
    return next != END;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    T item = (T) next;
    next = null;
    return item;
  }

  @Override
  public void close() {
    if (subscription != null) {
      subscription.cancel();
    }
  }
}
