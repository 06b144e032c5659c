package org.saam.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.saam.ingestion.simulator.Household;
import org.saam.ingestion.simulator.SimulationSettings;

/**
 * Gives simulated homes a resident through the user service, as an administrator would: a person in
 * the home's time zone, the location, an assignment from 2026-01-01. The pipeline then joins their
 * readings to them, and features, coaching and their state are part of the run.
 */
final class Residents {
  private static final ObjectMapper JSON = ResultFile.JSON;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI userService;
  private final String adminToken;

  Residents(URI userService, String adminToken) {
    if (adminToken == null || adminToken.isBlank()) {
      throw new IllegalArgumentException(
          "residents need an administrator's token of the user service (SAAM_BENCH_ADMIN_TOKEN;"
              + " ./saam bench e2e --residents N sets it)");
    }
    this.userService = userService;
    this.adminToken = adminToken;
  }

  /**
   * Creates a resident for each of the first {@code count} homes; returns their user ids by the
   * home's location id.
   */
  Map<String, String> assign(SimulationSettings settings, int count)
      throws IOException, InterruptedException {
    Map<String, String> people = new LinkedHashMap<>();
    for (int index = 1; index <= count; index++) {
      Household home = Household.generate(settings.seed(), index, settings.locationPrefix());
      JsonNode person =
          post(
              "/v1/users",
              Map.of("display_name", "Resident " + index, "time_zone", home.zone().getId()));
      String id = person.get("id").asText();
      post("/v1/locations", Map.of("location_id", home.locationId()));
      post(
          "/v1/locations/" + home.locationId() + "/assignments",
          Map.of("user_id", id, "valid_from", "2026-01-01T00:00:00Z"));
      people.put(home.locationId(), id);
    }
    return people;
  }

  private JsonNode post(String path, Map<String, String> body)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(userService.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          "the user service answered "
              + response.statusCode()
              + " to POST "
              + path
              + ": "
              + response.body());
    }
    return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }
}
