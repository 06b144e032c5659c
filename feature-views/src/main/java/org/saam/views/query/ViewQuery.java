package org.saam.views.query;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.saam.common.catalogue.ViewDefinition;

/**
 * A validated query of one view: whose data (a location or a person), which sources, which
 * half-open time range {@code [from, to)}, and how to answer.
 */
public record ViewQuery(
    ViewDefinition view,
    String locationId,
    String userId,
    List<String> sources,
    Instant from,
    Instant to,
    String format,
    Cursor cursor,
    int limit,
    ZoneId zone) {

  public boolean isDomainView() {
    return view.kind().equals("domain");
  }
}
