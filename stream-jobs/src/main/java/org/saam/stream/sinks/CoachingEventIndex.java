package org.saam.stream.sinks;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.json.JsonData;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.saam.common.broker.Topics;
import org.saam.common.elasticsearch.Elasticsearch;
import org.saam.stream.records.CoachingEventRecord;

/**
 * Coaching events to the Elasticsearch index {@code saam-coaching-events} (the audit log of what
 * was sent and why), document id = {@code event_id}, so a replay overwrites instead of adding.
 * Buffered events are written in one bulk request at every checkpoint (and every 100 events); a
 * refused document fails the job rather than being dropped. The index is created with its mapping
 * when missing.
 */
public final class CoachingEventIndex implements Sink<CoachingEventRecord>, NamedSink {
  /** The operator name in the job graph. */
  public static final String OPERATOR_NAME = "index coaching events";

  @Override
  public String operatorName() {
    return OPERATOR_NAME;
  }

  private static final long serialVersionUID = 1L;

  /** The index name (ARCHITECTURE.md, section 7). */
  public static final String INDEX = Topics.COACHING_EVENTS_INDEX;

  private static final int BATCH = 100;

  private static final String MAPPING =
      """
      {"mappings": {"dynamic": false, "properties": {
        "event_id": {"type": "keyword"}, "user_id": {"type": "keyword"},
        "location_id": {"type": "keyword"}, "domain": {"type": "keyword"},
        "rule_id": {"type": "keyword"}, "severity": {"type": "keyword"},
        "ts": {"type": "date"}, "message_key": {"type": "keyword"},
        "delivered_late": {"type": "boolean"},
        "evidence": {"properties": {
          "source_id": {"type": "keyword"}, "window_start": {"type": "date"},
          "window_end": {"type": "date"}, "value": {"type": "double"},
          "baseline": {"type": "double"}}}}}}
      """;

  private final String url;
  private final String index;

  public CoachingEventIndex(String url, String index) {
    this.url = url;
    this.index = index;
  }

  @Override
  @SuppressWarnings("deprecation") // the abstract method of Sink in Flink 1.20
  public SinkWriter<CoachingEventRecord> createWriter(Sink.InitContext context) throws IOException {
    return new Writer();
  }

  private final class Writer implements SinkWriter<CoachingEventRecord> {
    private final ElasticsearchClient client;
    private final List<CoachingEventRecord> buffer = new ArrayList<>();

    Writer() throws IOException {
      client = Elasticsearch.client(url);
      if (!client.indices().exists(e -> e.index(index)).value()) {
        try {
          client.indices().create(c -> c.index(index).withJson(new StringReader(MAPPING)));
        } catch (co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
          if (!"resource_already_exists_exception".equals(e.error().type())) {
            throw e;
          }
        }
      }
    }

    @Override
    public void write(CoachingEventRecord event, Context context) throws IOException {
      buffer.add(event);
      if (buffer.size() >= BATCH) {
        flush(false);
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      if (buffer.isEmpty()) {
        return;
      }
      BulkRequest.Builder bulk = new BulkRequest.Builder();
      for (CoachingEventRecord event : buffer) {
        bulk.operations(
            op ->
                op.index(
                    i ->
                        i.index(index)
                            .id(event.eventId())
                            .document(JsonData.fromJson(event.json()))));
      }
      BulkResponse response = client.bulk(bulk.build());
      if (response.errors()) {
        for (BulkResponseItem item : response.items()) {
          if (item.error() != null) {
            throw new IOException(
                "Elasticsearch refused coaching event "
                    + item.id()
                    + " for "
                    + index
                    + ": "
                    + item.error().reason());
          }
        }
      }
      buffer.clear();
    }

    @Override
    public void close() throws IOException {
      client._transport().close();
    }
  }
}
