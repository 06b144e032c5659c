package org.saam.users.erasure;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Replaces every mention of a person in an index (audit, token log) by a pseudonym: each string
 * anywhere in a document that contains one of the person's identifiers (ignoring case) gets the
 * pseudonym in its place. The documents keep their ids, fields and order, so the trail keeps its
 * shape ("someone did this, then that") without saying who.
 */
final class Pseudonymiser {
  private static final int PAGE = 500;

  private final ElasticsearchClient elasticsearch;
  private final List<String> identifiers;
  private final Pattern pattern;
  private final String pseudonym;

  Pseudonymiser(ElasticsearchClient elasticsearch, List<String> identifiers, String pseudonym) {
    this.elasticsearch = elasticsearch;
    this.identifiers = List.copyOf(identifiers);
    this.pattern =
        Pattern.compile(
            identifiers.stream().map(Pattern::quote).collect(Collectors.joining("|")),
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    this.pseudonym = pseudonym;
  }

  /** Pseudonymises every matching document of {@code index}; answers how many changed. */
  long apply(String index) throws IOException {
    if (identifiers.isEmpty()) {
      return 0;
    }
    long changed = 0;
    List<String> unchanged = new ArrayList<>();
    while (true) {
      List<String> skip = List.copyOf(unchanged);
      var page =
          elasticsearch.search(
              s ->
                  s.index(index)
                      .ignoreUnavailable(true)
                      .allowNoIndices(true)
                      .size(PAGE)
                      .query(
                          q ->
                              q.bool(
                                  b ->
                                      b.must(
                                              m ->
                                                  m.queryString(
                                                      qs ->
                                                          qs.query(queryOf(identifiers))
                                                              .fields("*")
                                                              .lenient(true)))
                                          .mustNot(n -> n.ids(i -> i.values(skip))))),
              ObjectNode.class);
      if (page.hits().hits().isEmpty()) {
        return changed;
      }
      var bulk = new BulkRequest.Builder().refresh(Refresh.True);
      int operations = 0;
      for (var hit : page.hits().hits()) {
        ObjectNode source = hit.source();
        if (source == null || !replaceIn(source)) {
          // Matched by the analyser (a word of the identifier) but holds none of them whole.
          unchanged.add(hit.id());
          continue;
        }
        operations++;
        bulk.operations(op -> op.index(i -> i.index(hit.index()).id(hit.id()).document(source)));
      }
      if (operations > 0) {
        var response = elasticsearch.bulk(bulk.build());
        if (response.errors()) {
          throw new IOException(
              "Elasticsearch refused to rewrite records of "
                  + index
                  + ": "
                  + response.items().stream()
                      .filter(item -> item.error() != null)
                      .map(item -> item.error().reason())
                      .findFirst()
                      .orElse("?"));
        }
        changed += operations;
      }
    }
  }

  /** Replaces the identifiers in every string of {@code node}; whether anything changed. */
  boolean replaceIn(JsonNode node) {
    boolean changed = false;
    if (node instanceof ObjectNode object) {
      for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getValue().isTextual()) {
          String replaced = replace(field.getValue().asText());
          if (replaced != null) {
            field.setValue(TextNode.valueOf(replaced));
            changed = true;
          }
        } else {
          changed |= replaceIn(field.getValue());
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        if (array.get(i).isTextual()) {
          String replaced = replace(array.get(i).asText());
          if (replaced != null) {
            array.set(i, TextNode.valueOf(replaced));
            changed = true;
          }
        } else {
          changed |= replaceIn(array.get(i));
        }
      }
    }
    return changed;
  }

  private String replace(String text) {
    Matcher matcher = pattern.matcher(text);
    return matcher.find() ? matcher.replaceAll(Matcher.quoteReplacement(pseudonym)) : null;
  }

  /** A query_string query for any of the values as a phrase. */
  static String queryOf(List<String> values) {
    return values.stream()
        .map(v -> "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
        .map(
            v -> v.toLowerCase(Locale.ROOT).equals(v) ? v : v + " OR " + v.toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(" OR "));
  }
}
