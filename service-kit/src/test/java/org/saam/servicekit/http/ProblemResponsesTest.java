package org.saam.servicekit.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ProblemResponsesTest {
  private Javalin app;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    app = Javalin.create();
    ProblemResponses.register(
        app, new ObjectMapper(), LoggerFactory.getLogger(ProblemResponsesTest.class), "see logs");
    app.get(
        "/problem",
        ctx -> {
          throw new ProblemException(409, "Conflict", "already there");
        });
    app.get(
        "/bug",
        ctx -> {
          throw new IllegalArgumentException("a bug");
        });
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void problemsAndBugsAreAnsweredAsProblemJson() throws Exception {
    HttpResponse<String> problem = get("/problem");
    assertThat(problem.statusCode()).isEqualTo(409);
    assertThat(problem.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(problem.body())
        .contains("\"detail\":\"already there\"", "\"instance\":\"/problem\"");

    HttpResponse<String> bug = get("/bug");
    assertThat(bug.statusCode()).isEqualTo(500);
    assertThat(bug.body()).contains("\"detail\":\"see logs\"").doesNotContain("a bug");

    assertThat(get("/nowhere").body()).contains("no such endpoint: GET /nowhere");
  }

  @Test
  void anAnswerThatCannotBeWrittenEndsQuietlyInsteadOfFailingAgain() {
    // A handler that throws is handed its own failure again by Javalin 6, forever
    // (javalin/javalin#2422): the answer must swallow what it cannot write.
    IllegalArgumentException cause = new IllegalArgumentException("the original failure");
    assertThatCode(
            () ->
                ProblemResponses.answer(
                    LoggerFactory.getLogger(ProblemResponsesTest.class),
                    null,
                    cause,
                    () -> {
                      throw new IllegalStateException("the request is no longer available");
                    }))
        .doesNotThrowAnyException();
  }
}
