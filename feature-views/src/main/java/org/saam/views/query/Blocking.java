package org.saam.views.query;

import org.reactivestreams.Publisher;

/** The first item of a publisher, waiting for it (index creation, ping). */
public final class Blocking {
  private Blocking() {}

  public static <T> T await(Publisher<T> publisher) {
    try (PublisherIterator<T> items = new PublisherIterator<>(publisher)) {
      return items.hasNext() ? items.next() : null;
    }
  }
}
