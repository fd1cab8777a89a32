package dev.ocomms.search;

import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.PgClients;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.sqlclient.Pool;

/** Message search. Today a shell that opens its PostgreSQL pool and serves no address yet. */
public class SearchVerticle extends AbstractVerticle {
  private Pool pg;

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    return PgClients.connectedPool(vertx, settings, "search")
        .doOnSuccess(pool -> pg = pool)
        .ignoreElement();
  }

  @Override
  public Completable rxStop() {
    return pg.rxClose();
  }
}
