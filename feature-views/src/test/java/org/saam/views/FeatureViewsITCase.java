package org.saam.views;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.saam.common.realm.RealmNames;
import org.saam.common.store.MeasurementBuckets;
import org.saam.identity.realm.RealmProvisioner;
import org.saam.identity.testing.KeycloakTokens;
import org.saam.servicekit.reactive.Publishers;

/**
 * The query service against the MongoDB-wire server and real Keycloak tokens. Measurement buckets
 * are written directly in the documented layout (ARCHITECTURE.md, section 3).
 */
class FeatureViewsITCase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final String LOCATION = "it-views";
  private static final String PERSON = UUID.randomUUID().toString();
  private static final String OTHER = UUID.randomUUID().toString();

  private static FeatureViewsService service;
  private static MongoClient mongo;
  private static String database;
  private static String scientist;
  private static final List<double[]> SAMPLES = new ArrayList<>(); // [ts, value] of bed.movement

  @BeforeAll
  static void seedAndStart() throws Exception {
    database = "saam_views_it_" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
    mongo = MongoClients.create("mongodb://127.0.0.1:27017");
    var measurements =
        mongo
            .getDatabase(database)
            .getCollection(MeasurementBuckets.COLLECTION, BsonDocument.class);
    List<UpdateOneModel<BsonDocument>> samples = new ArrayList<>();
    for (int hour = 0; hour < 6; hour++) {
      long start = DAY.toEpochMilli() + hour * 3_600_000L;
      String user = hour < 3 ? PERSON : OTHER;
      for (int minute = 0; minute < 60; minute += 5) {
        long ts = start + minute * 60_000L;
        double value = (hour * 7 + minute) % 40;
        samples.add(sample("bed.movement", user, ts, value));
        samples.add(sample("bed.presence", user, ts + 1000, hour < 4 ? 1.0 : 0.0));
        SAMPLES.add(new double[] {ts, value});
      }
    }
    Publishers.await(measurements.bulkWrite(samples));
    service =
        FeatureViewsService.start(
            // No clock skew allowance, so an expired token can be shown in seconds.
            FeatureViewsConfig.fromEnvironment(Map.of("SAAM_JWT_CLOCK_SKEW_SECONDS", "0"))
                .withPort(0)
                .withDatabase(database)
                .withMaxRows(1000));
    scientist = KeycloakTokens.demoToken("data-scientist", "openid sensorapi");
  }

  /** One sample, written as the pipeline writes it. */
  private static UpdateOneModel<BsonDocument> sample(
      String source, String user, long ts, double value) {
    MeasurementBuckets.SampleUpsert upsert =
        MeasurementBuckets.sampleUpsert(LOCATION, user, source, "microhub_bed", ts, value);
    return new UpdateOneModel<>(upsert.filter(), upsert.update(), new UpdateOptions().upsert(true));
  }

  @AfterAll
  static void stop() {
    service.close();
    Publishers.await(mongo.getDatabase(database).drop());
    mongo.close();
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String data(String query) {
    return "/v1/views/microhub_bed/data?location_id="
        + LOCATION
        + "&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z"
        + query;
  }

  @Test
  void returnsExactlyTheStoredSamplesInTimeOrderAcrossHourBuckets() throws Exception {
    HttpResponse<String> response = get(data("&source_id=bed.movement"), scientist);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
    List<JsonNode> rows = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      rows.add(JSON.readTree(line));
    }
    assertThat(rows).hasSize(SAMPLES.size());
    for (int i = 0; i < rows.size(); i++) {
      assertThat(Instant.parse(rows.get(i).get("ts").asText()).toEpochMilli())
          .isEqualTo((long) SAMPLES.get(i)[0]);
      assertThat(rows.get(i).get("value").asDouble()).isEqualTo(SAMPLES.get(i)[1]);
    }
    assertThat(rows.get(0).get("user_id").asText()).isEqualTo(PERSON);
    assertThat(response.headers().firstValue("X-Next-Cursor")).isEmpty();
  }

  @Test
  void pagingWithTheCursorLosesAndRepeatsNothing() throws Exception {
    List<String> all = List.of(get(data(""), scientist).body().split("\n"));
    List<String> paged = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      HttpResponse<String> page =
          get(data("&limit=17" + (cursor == null ? "" : "&cursor=" + cursor)), scientist);
      assertThat(page.statusCode()).isEqualTo(200);
      paged.addAll(List.of(page.body().split("\n")));
      cursor = page.headers().firstValue("X-Next-Cursor").orElse(null);
      pages++;
    } while (cursor != null && pages < 100);

    assertThat(all).hasSize(SAMPLES.size() * 2);
    assertThat(paged).containsExactlyElementsOf(all);
    assertThat(pages).isEqualTo((all.size() + 16) / 17);
  }

  @Test
  void javaClientFollowsTheCursorThroughEveryRow() throws Exception {
    var client =
        new org.saam.views.client.ViewsClient(
            URI.create("http://127.0.0.1:" + service.port()), () -> scientist, 7);
    List<org.saam.views.client.ViewsClient.Row> rows = new ArrayList<>();
    client
        .rows(
            "microhub_bed",
            "location_id",
            LOCATION,
            List.of("bed.movement"),
            Instant.parse("2026-11-20T00:00:00Z"),
            Instant.parse("2026-11-21T00:00:00Z"))
        .forEach(rows::add);

    assertThat(rows).hasSize(SAMPLES.size());
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i).ts().toEpochMilli()).isEqualTo((long) SAMPLES.get(i)[0]);
      assertThat(rows.get(i).value()).isEqualTo(SAMPLES.get(i)[1]);
    }
  }

  @Test
  void everyQueryIsAuditedWithItsFiltersAndRowCountButNotItsData() throws Exception {
    String from = "2026-11-20T01:00:00Z";
    get(
        "/v1/views/microhub_bed/data?location_id="
            + LOCATION
            + "&from="
            + from
            + "&to=2026-11-20T02:00:00Z&source_id=bed.presence",
        scientist);

    var elasticsearch =
        org.saam.common.elasticsearch.Elasticsearch.client(KeycloakTokens.elasticsearchUrl());
    // The audit log writes in the background (it never holds up a request): wait for the record.
    Map<?, ?> record = null;
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (record == null && System.nanoTime() < deadline) {
      elasticsearch.indices().refresh(r -> r.index(org.saam.servicekit.audit.AuditLog.INDEX));
      var found =
          elasticsearch.search(
              s ->
                  s.index(org.saam.servicekit.audit.AuditLog.INDEX)
                      .size(1000)
                      .sort(
                          o ->
                              o.field(
                                  f ->
                                      f.field("ts")
                                          .order(
                                              co.elastic.clients.elasticsearch._types.SortOrder
                                                  .Desc)))
                      .query(q -> q.term(t -> t.field("service.keyword").value("feature-views"))),
              Map.class);
      // Times are mapped as dates by Elasticsearch, so the record is picked here by its 'from'.
      record =
          found.hits().hits().stream()
              .map(h -> (Map<?, ?>) h.source())
              .filter(
                  r ->
                      r.get("query") instanceof Map<?, ?> query
                          && from.equals(query.get("from"))
                          && LOCATION.equals(query.get("location_id")))
              .findFirst()
              .orElse(null);
      if (record == null) {
        Thread.sleep(200);
      }
    }
    if (record == null) {
      throw new AssertionError("no audit record of the query");
    }
    assertThat(record.get("actor")).isEqualTo("data-scientist-demo");
    assertThat(((Map<?, ?>) record.get("query")).get("rows")).isEqualTo(12);
    assertThat(record.toString()).doesNotContain("samples").doesNotContain("value");
  }

  @Test
  void everyDocumentedEndpointAnswers() throws Exception {
    var document =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(get("/openapi.json", scientist).body());
    assertThat(document.get("paths").size()).isGreaterThan(5);
    for (String endpoint : (Iterable<String>) () -> document.get("paths").fieldNames()) {
      String path = endpoint.replace("{view}", "microhub_bed");
      HttpResponse<String> response = get(path, scientist);
      assertThat(response.statusCode()).as(path).isNotEqualTo(404);
    }
  }

  @Test
  void csvParsesIntoTheSameValues() throws Exception {
    HttpResponse<String> csv = get(data("&source_id=bed.movement&format=csv"), scientist);

    assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    var rows =
        new com.fasterxml.jackson.dataformat.csv.CsvMapper()
            .readerFor(Map.class)
            .with(com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema().withHeader())
            .<Map<String, String>>readValues(csv.body())
            .readAll();
    assertThat(rows).hasSize(SAMPLES.size());
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i).keySet())
          .containsExactly("ts", "source_id", "value", "location_id", "user_id");
      assertThat(Instant.parse(rows.get(i).get("ts")).toEpochMilli())
          .isEqualTo((long) SAMPLES.get(i)[0]);
      assertThat(Double.parseDouble(rows.get(i).get("value"))).isEqualTo(SAMPLES.get(i)[1]);
      assertThat(rows.get(i).get("source_id")).isEqualTo("bed.movement");
    }
  }

  @Test
  void summariesEqualWhatTheRawSamplesGive() throws Exception {
    HttpResponse<String> response =
        get(
            "/v1/views/microhub_bed/summary?location_id="
                + LOCATION
                + "&from=2026-11-20T00:00:00Z&to=2026-11-20T06:00:00Z&source_id=bed.movement&bucket=PT2H",
            scientist);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode buckets = JSON.readTree(response.body()).get("buckets");
    assertThat(buckets).hasSize(3);
    for (JsonNode bucket : buckets) {
      long start = Instant.parse(bucket.get("bucket_start").asText()).toEpochMilli();
      var values =
          SAMPLES.stream()
              .filter(s -> s[0] >= start && s[0] < start + 7_200_000L)
              .mapToDouble(s -> s[1])
              .summaryStatistics();
      assertThat(bucket.get("count").asLong()).isEqualTo(values.getCount());
      assertThat(bucket.get("min").asDouble()).isEqualTo(values.getMin());
      assertThat(bucket.get("max").asDouble()).isEqualTo(values.getMax());
      assertThat(bucket.get("mean").asDouble())
          .isCloseTo(values.getAverage(), org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  @Test
  void listsTheTwelveDeviceViewsAndSevenDomainViews() throws Exception {
    JsonNode views = JSON.readTree(get("/v1/views", scientist).body()).get("views");

    assertThat(views).hasSize(19);
    assertThat(views.findValuesAsText("kind").stream().filter("device"::equals)).hasSize(12);
  }

  @Test
  void badTokensAre401AndWrongScopeIs403() throws Exception {
    String userApiOnly = KeycloakTokens.demoToken("data-scientist", "openid userapi");
    String[] parts = scientist.split("\\.");
    String tampered =
        parts[0] + "." + parts[1].substring(0, parts[1].length() - 4) + "AAAA." + parts[2];

    assertThat(get(data(""), null).statusCode()).isEqualTo(401);
    assertThat(get(data(""), tampered).statusCode()).isEqualTo(401);
    assertThat(get(data(""), "eyJhbGciOiJub25lIn0." + parts[1] + ".").statusCode()).isEqualTo(401);
    HttpResponse<String> wrongScope = get(data(""), userApiOnly);
    assertThat(wrongScope.statusCode()).isEqualTo(403);
    assertThat(wrongScope.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(get(data(""), KeycloakTokens.demoToken("operator", "openid sensorapi")).statusCode())
        .isEqualTo(403);
  }

  @Test
  void anExpiredTokenIs401() throws Exception {
    try (KeycloakTokens.TemporaryClient client =
        KeycloakTokens.TemporaryClient.create(
            Map.of("access.token.lifespan", "1"),
            List.of("basic", "profile", "roles", RealmNames.SENSOR_API))) {
      String token = client.demoToken("data-scientist");
      assertThat(get(data(""), token).statusCode()).isNotEqualTo(401);
      Thread.sleep(2_500);

      HttpResponse<String> expired = get(data(""), token);

      assertThat(expired.statusCode()).isEqualTo(401);
      assertThat(expired.body()).containsIgnoringCase("expired");
    }
  }

  /** A realm account with one role, attributes and a password; removed when closed. */
  private record Account(String id, String token) implements AutoCloseable {
    static Account create(String role, Map<String, List<String>> attributes) throws Exception {
      String username = "it-" + role + "-" + UUID.randomUUID().toString().substring(0, 8);
      try (Keycloak admin = KeycloakTokens.admin()) {
        var realm = admin.realm(RealmNames.REALM);
        UserRepresentation user = new UserRepresentation();
        user.setUsername(username);
        user.setEnabled(true);
        user.setEmail(username + "@example.org");
        user.setEmailVerified(true);
        user.setFirstName("It");
        user.setLastName(role);
        user.setAttributes(attributes);
        String id = RealmProvisioner.createdId(realm.users().create(user), username);
        CredentialRepresentation password = new CredentialRepresentation();
        password.setType(CredentialRepresentation.PASSWORD);
        password.setValue("it-pass-1");
        password.setTemporary(false);
        realm.users().get(id).resetPassword(password);
        realm
            .users()
            .get(id)
            .roles()
            .realmLevel()
            .add(List.of(realm.roles().get(role).toRepresentation()));
        String token =
            KeycloakTokens.passwordGrant(
                    RealmNames.CLI_CLIENT, username, "it-pass-1", "openid sensorapi")
                .get("access_token")
                .asText();
        return new Account(id, token);
      }
    }

    @Override
    public void close() {
      try (Keycloak admin = KeycloakTokens.admin()) {
        admin.realm(RealmNames.REALM).users().get(id).remove();
      }
    }
  }

  private static String byPerson(String person) {
    return "/v1/views/microhub_bed/data?user_id="
        + person
        + "&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z";
  }

  @Test
  void participantReadsOwnDataOnly() throws Exception {
    try (Account participant =
        Account.create("participant", Map.of("saam_user_id", List.of(PERSON)))) {
      HttpResponse<String> mine = get(byPerson(PERSON), participant.token());
      assertThat(mine.statusCode()).isEqualTo(200);
      assertThat(mine.body().lines())
          .isNotEmpty()
          .allSatisfy(line -> assertThat(line).contains(PERSON));
      assertThat(get(byPerson(OTHER), participant.token()).statusCode()).isEqualTo(403);
      assertThat(get(data(""), participant.token()).statusCode()).as("by location").isEqualTo(403);
    }
  }

  @Test
  void caregiverReadsOnlyThePeopleTheyCareFor() throws Exception {
    try (Account caregiver =
            Account.create("caregiver", Map.of("saam_cares_for", List.of(PERSON)));
        Account unattached = Account.create("caregiver", Map.of())) {
      HttpResponse<String> cared = get(byPerson(PERSON), caregiver.token());
      assertThat(cared.statusCode()).as(cared.body()).isEqualTo(200);
      assertThat(cared.body().lines())
          .isNotEmpty()
          .allSatisfy(line -> assertThat(line).contains(PERSON));
      HttpResponse<String> other = get(byPerson(OTHER), caregiver.token());
      assertThat(other.statusCode()).isEqualTo(403);
      assertThat(other.body()).contains("people they care for").contains(PERSON);
      assertThat(get(data(""), caregiver.token()).statusCode()).as("by location").isEqualTo(403);
      HttpResponse<String> nobody = get(byPerson(PERSON), unattached.token());
      assertThat(nobody.statusCode()).isEqualTo(403);
      assertThat(nobody.body()).contains("care for nobody");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "&source_id=ecg.hr",
        "&from=yesterday",
        "&to=2026-11-19T00:00:00Z&from=2026-11-20T00:00:00Z",
        "&source_id[$ne]=x",
        "&limit=100000",
        "&format=xml",
        "&cursor=bm90LWEtY3Vyc29y"
      })
  void refusesBadParametersWith400(String extra) throws Exception {
    String base = "/v1/views/microhub_bed/data?location_id=" + LOCATION;
    String query =
        extra.contains("from=")
            ? base + extra + (extra.contains("to=") ? "" : "&to=2026-11-21T00:00:00Z")
            : base + "&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z" + extra;
    HttpResponse<String> response =
        get(query.replace("[", "%5B").replace("]", "%5D").replace("$", "%24"), scientist);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
  }

  @Test
  void operatorInjectionInValuesIs400() throws Exception {
    String injected = URLEncoder.encode("{\"$gt\":\"\"}", StandardCharsets.UTF_8);
    HttpResponse<String> location =
        get(
            "/v1/views/microhub_bed/data?location_id="
                + injected
                + "&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z",
            scientist);
    HttpResponse<String> where =
        get(data("&source_id=" + URLEncoder.encode("$where", StandardCharsets.UTF_8)), scientist);
    HttpResponse<String> range =
        get(
            "/v1/views/microhub_bed/data?location_id="
                + LOCATION
                + "&from=2026-01-01T00:00:00Z&to=2026-11-21T00:00:00Z",
            scientist);

    assertThat(location.statusCode()).isEqualTo(400);
    assertThat(where.statusCode()).isEqualTo(400);
    assertThat(range.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(range.body()).get("detail").asText())
        .contains("at most 31 days", "summary");
  }
}
