package org.saam.common.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/** Builds Elasticsearch clients the same way everywhere. */
public final class Elasticsearch {
  private Elasticsearch() {}

  /** A client of the cluster at {@code url}, for example {@code http://127.0.0.1:9200}. */
  public static ElasticsearchClient client(String url) {
    RestClient rest = RestClient.builder(HttpHost.create(url)).build();
    return new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()));
  }
}
