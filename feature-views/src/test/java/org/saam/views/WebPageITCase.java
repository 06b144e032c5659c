package org.saam.views;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.ClientRepresentation;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.saam.common.realm.RealmNames;
import org.saam.common.store.MeasurementBuckets;
import org.saam.identity.realm.RealmProvisioner;
import org.saam.identity.testing.KeycloakTokens;
import org.saam.servicekit.reactive.Publishers;

/**
 * The web page in headless Chromium: signs in through Keycloak (authorization code with PKCE),
 * plots a series, and the plotted points are the stored samples. The screenshot stays in {@code
 * target/screenshots/}.
 */
class WebPageITCase {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final String LOCATION = "it-web";
  private static final List<long[]> SAMPLES = new ArrayList<>(); // [epoch ms, value]

  private static FeatureViewsService service;
  private static MongoClient mongo;
  private static String database;
  private static String clientUuid;
  private static WebDriver browser;

  @BeforeAll
  static void start() throws Exception {
    database = "saam_web_it_" + UUID.randomUUID().toString().substring(0, 8);
    mongo = MongoClients.create("mongodb://127.0.0.1:27017");
    List<UpdateOneModel<BsonDocument>> buckets = new ArrayList<>();
    for (int hour = 0; hour < 3; hour++) {
      long start = DAY.toEpochMilli() + hour * 3_600_000L;
      for (int minute = 0; minute < 60; minute += 10) {
        long ts = start + minute * 60_000L;
        long value = (hour * 13 + minute) % 50;
        MeasurementBuckets.SampleUpsert upsert =
            MeasurementBuckets.sampleUpsert(
                LOCATION, null, "bed.movement", "microhub_bed", ts, (double) value);
        buckets.add(
            new UpdateOneModel<>(
                upsert.filter(), upsert.update(), new UpdateOptions().upsert(true)));
        SAMPLES.add(new long[] {ts, value});
      }
    }
    Publishers.await(
        mongo
            .getDatabase(database)
            .getCollection(MeasurementBuckets.COLLECTION, BsonDocument.class)
            .bulkWrite(buckets));

    String clientId = "it-web-" + UUID.randomUUID().toString().substring(0, 8);
    service =
        FeatureViewsService.start(
            FeatureViewsConfig.fromEnvironment(Map.of())
                .withPort(0)
                .withDatabase(database)
                .withWebClientId(clientId));
    String origin = "http://127.0.0.1:" + service.port();
    try (Keycloak admin = KeycloakTokens.admin()) {
      ClientRepresentation client = new ClientRepresentation();
      client.setClientId(clientId);
      client.setPublicClient(true);
      client.setStandardFlowEnabled(true);
      client.setDirectAccessGrantsEnabled(false);
      client.setRedirectUris(List.of(origin + "/"));
      client.setWebOrigins(List.of(origin));
      client.setAttributes(Map.of("pkce.code.challenge.method", "S256"));
      client.setDefaultClientScopes(
          List.of("basic", "profile", "email", "roles", "web-origins", RealmNames.SENSOR_API));
      clientUuid =
          RealmProvisioner.createdId(
              admin.realm(RealmNames.REALM).clients().create(client), clientId);
    }

    ChromeOptions options = new ChromeOptions();
    options.setBinary(System.getenv().getOrDefault("SAAM_CHROMIUM", "/usr/bin/chromium"));
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        "--user-data-dir=" + Files.createTempDirectory("chromium-it"));
    ChromeDriverService driver =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(
                Path.of(System.getenv().getOrDefault("SAAM_CHROMEDRIVER", "/usr/bin/chromedriver"))
                    .toFile())
            .build();
    browser = new ChromeDriver(driver, options);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    try (Keycloak admin = KeycloakTokens.admin()) {
      if (clientUuid != null) {
        admin.realm(RealmNames.REALM).clients().get(clientUuid).remove();
      }
    }
    service.close();
    Publishers.await(mongo.getDatabase(database).drop());
    mongo.close();
  }

  @Test
  void signsInPlotsASeriesAndThePlottedPointsAreTheStoredSamples() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    browser.get("http://127.0.0.1:" + service.port() + "/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in"))).click();

    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
        .sendKeys("data-scientist-demo");
    browser.findElement(By.id("password")).sendKeys("data-scientist-demo-pass");
    browser.findElement(By.id("kc-login")).click();

    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
    wait.until(ExpectedConditions.textToBe(By.id("status"), "Ready"));
    assertThat(browser.findElement(By.id("who")).getText()).contains("data-scientist-demo");
    new Select(browser.findElement(By.id("view"))).selectByValue("microhub_bed");
    new Select(browser.findElement(By.id("by"))).selectByValue("location_id");
    browser.findElement(By.id("owner")).sendKeys(LOCATION);
    new Select(browser.findElement(By.id("sources"))).selectByValue("bed.movement");
    browser.findElement(By.id("from")).sendKeys("2026-11-20T00:00:00Z");
    browser.findElement(By.id("to")).sendKeys("2026-11-21T00:00:00Z");
    browser.findElement(By.id("plot")).click();

    wait.until(ExpectedConditions.textToBe(By.id("status"), SAMPLES.size() + " points plotted"));
    Path screenshot = Path.of("target", "screenshots", "feature-views-plot.png");
    Files.createDirectories(screenshot.getParent());
    Files.write(screenshot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

    JsonNode plotted =
        new ObjectMapper()
            .readTree(
                (String)
                    ((org.openqa.selenium.JavascriptExecutor) browser)
                        .executeScript("return document.getElementById('plotted').textContent"));
    JsonNode points = plotted.get("bed.movement");
    assertThat(points).hasSize(SAMPLES.size());
    for (int i = 0; i < SAMPLES.size(); i++) {
      assertThat(points.get(i).get(0).asLong() * 1000).isEqualTo(SAMPLES.get(i)[0]);
      assertThat(points.get(i).get(1).asDouble()).isEqualTo((double) SAMPLES.get(i)[1]);
    }
    assertThat(browser.findElements(By.cssSelector("#chart canvas"))).isNotEmpty();
    assertThat(Files.size(screenshot)).isPositive();

    // A long range is plotted from the summary, hour by hour.
    browser.findElement(By.id("from")).clear();
    browser.findElement(By.id("from")).sendKeys("2026-11-01T00:00:00Z");
    browser.findElement(By.id("plot")).click();
    wait.until(ExpectedConditions.textToBe(By.id("status"), "3 points plotted"));
  }
}
