package org.saam.identity.tokenlog;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.EventRepresentation;
import org.saam.identity.realm.SaamRealm;

/**
 * Copies Keycloak's token events (password, refresh, client credentials, code exchange) into the
 * Elasticsearch index {@value #INDEX}: one document per issued token with its issue time, scopes,
 * user, client and lifespan.
 *
 * <p>Resumes where it stopped without local state: it starts from the day of the newest document
 * already indexed. It never duplicates: a document's id is Keycloak's event id, so shipping an
 * event again overwrites the same document with the same content.
 */
public final class TokenLogShipper {
  /** The issued-token log index. */
  public static final String INDEX = "saam-token-log";

  private static final int PAGE = 500;

  private final RealmResource realm;
  private final ElasticsearchClient elasticsearch;

  public TokenLogShipper(RealmResource realm, ElasticsearchClient elasticsearch) {
    this.realm = realm;
    this.elasticsearch = elasticsearch;
  }

  /** Ships every token event since the newest one already in the index; returns how many. */
  public int shipOnce() throws IOException {
    Instant newest = newestShipped();
    String dateFrom =
        newest == null
            ? null
            : DateTimeFormatter.ISO_LOCAL_DATE.format(newest.atZone(ZoneOffset.UTC).toLocalDate());
    Map<String, Integer> lifespans = lifespans();
    int shipped = 0;
    for (int first = 0; ; first += PAGE) {
      List<EventRepresentation> events =
          realm.getEvents(SaamRealm.TOKEN_EVENTS, null, null, dateFrom, null, null, first, PAGE);
      List<EventRepresentation> fresh = new ArrayList<>();
      for (EventRepresentation event : events) {
        if (event.getError() == null
            && (newest == null || event.getTime() >= newest.toEpochMilli())) {
          fresh.add(event);
        }
      }
      if (!fresh.isEmpty()) {
        index(fresh, lifespans);
        shipped += fresh.size();
      }
      if (events.size() < PAGE) {
        return shipped;
      }
    }
  }

  private void index(List<EventRepresentation> events, Map<String, Integer> lifespans)
      throws IOException {
    BulkRequest.Builder bulk = new BulkRequest.Builder();
    for (EventRepresentation event : events) {
      Map<String, Object> document = document(event, lifespans);
      bulk.operations(op -> op.index(i -> i.index(INDEX).id(event.getId()).document(document)));
    }
    BulkResponse response = elasticsearch.bulk(bulk.build());
    if (response.errors()) {
      String reason =
          response.items().stream()
              .filter(item -> item.error() != null)
              .map(item -> item.id() + ": " + item.error().reason())
              .findFirst()
              .orElse("unknown");
      throw new IOException("Elasticsearch refused token-log documents, first: " + reason);
    }
  }

  /** The token-log document of one event: who, which client, when, which scopes, how long. */
  static Map<String, Object> document(EventRepresentation event, Map<String, Integer> lifespans) {
    Map<String, String> details = event.getDetails() == null ? Map.of() : event.getDetails();
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("event_id", event.getId());
    document.put("issued_at", Instant.ofEpochMilli(event.getTime()).toString());
    document.put("event_type", event.getType());
    document.put("grant_type", details.get("grant_type"));
    document.put("user_id", event.getUserId());
    document.put("username", details.get("username"));
    document.put("client_id", event.getClientId());
    String scope = details.get("scope");
    document.put("scopes", scope == null ? List.of() : Arrays.asList(scope.trim().split("\\s+")));
    document.put("lifespan_s", lifespans.getOrDefault(event.getClientId(), lifespans.get(null)));
    document.put("token_id", details.get("token_id"));
    return document;
  }

  /** Access-token lifespan per client id (a client may override the realm's); null key: realm. */
  private Map<String, Integer> lifespans() {
    Map<String, Integer> lifespans = new LinkedHashMap<>();
    Integer realmLifespan = realm.toRepresentation().getAccessTokenLifespan();
    lifespans.put(null, realmLifespan);
    for (ClientRepresentation client : realm.clients().findAll()) {
      String override =
          client.getAttributes() == null
              ? null
              : client.getAttributes().get("access.token.lifespan");
      if (override != null && !override.isBlank()) {
        lifespans.put(client.getClientId(), Integer.parseInt(override));
      }
    }
    return lifespans;
  }

  private Instant newestShipped() throws IOException {
    boolean exists = elasticsearch.indices().exists(e -> e.index(INDEX)).value();
    if (!exists) {
      return null;
    }
    SearchResponse<Map> response =
        elasticsearch.search(
            s ->
                s.index(INDEX)
                    .size(1)
                    .sort(o -> o.field(f -> f.field("issued_at").order(SortOrder.Desc))),
            Map.class);
    if (response.hits().hits().isEmpty()) {
      return null;
    }
    Object issued = response.hits().hits().get(0).source().get("issued_at");
    return issued == null ? null : Instant.parse(issued.toString());
  }
}
