package org.saam.common.catalogue;

import java.io.Serializable;
import java.util.List;

/**
 * A named list of sources that data scientists query together.
 *
 * @param name the view name, for example {@code microhub_bed} or {@code sleep}
 * @param kind {@code device} or {@code domain}
 * @param description one line for people
 * @param sources the view's source ids, in catalogue order
 */
public record ViewDefinition(String name, String kind, String description, List<String> sources)
    implements Serializable {
  public ViewDefinition {
    sources = List.copyOf(sources);
  }
}
