package org.saam.views;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenApiDocumentTest {

  @Test
  void documentIsValidOpenApiAndListsEveryEndpoint() throws Exception {
    String document;
    try (var in = getClass().getResourceAsStream("/openapi.json")) {
      document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    SwaggerParseResult result = new OpenAPIV3Parser().readContents(document);

    assertThat(result.getMessages()).isEmpty();
    assertThat(result.getOpenAPI().getPaths().keySet())
        .containsExactlyInAnyOrderElementsOf(FeatureViewsService.ENDPOINTS);
    result.getOpenAPI().getPaths().values().forEach(path -> assertThat(path.getGet()).isNotNull());
  }
}
