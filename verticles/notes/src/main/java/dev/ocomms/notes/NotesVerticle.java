package dev.ocomms.notes;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusService;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.db.PgClients;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/**
 * Channel and personal notes (schema {@code notes}): one markdown note per chat that its members edit, and one per
 * user and workspace that only its owner sees. Saves name the version they were based on; concurrent saves that
 * change different lines are merged, overlapping ones are a conflict; the last 100 versions are kept to restore.
 */
public class NotesVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(NotesVerticle.class);

  private Pool pg;

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    return PgClients.connectedPool(vertx, settings, "notes")
        .doOnSuccess(pool -> pg = pool)
        .ignoreElement()
        .andThen(Completable.defer(() -> Migrations.migrate(vertx, settings.pgUrl().orElseThrow(), "notes")))
        .andThen(Completable.defer(() -> {
          NoteActions notes = new NoteActions(vertx, new NoteStore(pg), new NoteAccess(vertx));
          return BusService.serve(vertx, Map.of(
              Addresses.NOTES_GET, notes::get,
              Addresses.NOTES_SAVE, notes::save,
              Addresses.NOTES_EDITING, notes::editing,
              Addresses.NOTES_VERSIONS, notes::versions,
              Addresses.NOTES_REVISIONS, notes::revisions,
              Addresses.NOTES_REVISION, notes::revision,
              Addresses.NOTES_RESTORE, notes::restore))
              .andThen(BusService.serveInternal(vertx, Map.of(Addresses.NOTES_CHAT_CHANGES, notes::chatChanges)));
        }))
        .doOnComplete(() -> LOG.info("notes ready"));
  }

  @Override
  public Completable rxStop() {
    Duration grace = Duration.ofSeconds(OcommsConfig.fromJson(config()).shutdownGraceSeconds());
    return BusService.drain(vertx, grace)
        .andThen(Completable.defer(() -> pg == null ? Completable.complete() : pg.rxClose()));
  }
}
