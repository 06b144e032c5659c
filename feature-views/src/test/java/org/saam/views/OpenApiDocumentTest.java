package org.saam.views;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.saam.servicekit.ServiceHttp;
import org.saam.views.http.ViewsApi;
import org.slf4j.LoggerFactory;

class OpenApiDocumentTest {

  /** The routes the service registers, found without a database, Keycloak or a listening port. */
  private static Set<String> registeredGetRoutes() {
    Javalin app = Javalin.create();
    ServiceHttp http =
        new ServiceHttp(
            "feature-views",
            ServiceHttp.jsonMapper(),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            null,
            LoggerFactory.getLogger(OpenApiDocumentTest.class));
    ViewsApi api = new ViewsApi(null, null, null, null, ServiceHttp.jsonMapper(), null, "", "");
    FeatureViewsService.routes(app, http, api, Map.of());
    Set<String> routes = new TreeSet<>();
    app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
        .map(parsed -> parsed.getEndpoint())
        .filter(endpoint -> endpoint.getMethod() == HandlerType.GET)
        .forEach(endpoint -> routes.add(endpoint.getPath()));
    return routes;
  }

  @Test
  void documentIsValidOpenApiAndListsEveryRegisteredRoute() throws Exception {
    String document;
    try (var in = getClass().getResourceAsStream("/openapi.json")) {
      document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    SwaggerParseResult result = new OpenAPIV3Parser().readContents(document);

    assertThat(result.getMessages()).isEmpty();
    Set<String> served = registeredGetRoutes();
    served.add("/"); // the web page, served from static files
    assertThat(result.getOpenAPI().getPaths().keySet()).containsExactlyInAnyOrderElementsOf(served);
    result.getOpenAPI().getPaths().values().forEach(path -> assertThat(path.getGet()).isNotNull());
  }
}
