package org.saam.servicekit.audit;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.io.IOException;
import java.util.Map;

/**
 * The audit log in Elasticsearch {@value #INDEX}: one document per request (who, what, when,
 * outcome; never the health data itself) and the erasure receipts.
 */
public final class AuditLog {
  public static final String INDEX = "saam-audit";

  private final ElasticsearchClient elasticsearch;

  public AuditLog(ElasticsearchClient elasticsearch) {
    this.elasticsearch = elasticsearch;
  }

  /** Writes one audit document and returns its id. */
  public String record(Map<String, Object> document) throws IOException {
    return elasticsearch.index(i -> i.index(INDEX).document(document)).id();
  }

  public boolean healthy() {
    try {
      return !elasticsearch.cluster().health().timedOut();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
