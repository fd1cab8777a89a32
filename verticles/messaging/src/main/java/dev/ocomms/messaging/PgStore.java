package dev.ocomms.messaging;

import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.RowSet;
import io.vertx.rxjava3.sqlclient.SqlClient;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.util.function.Function;

/**
 * What messaging's stores share: the one way they run a transaction, and running a statement.
 *
 * <p>A store is bound either to the pool (each statement on its own: PostgreSQL runs a single statement in its own
 * transaction, which is all the send batch and every read need) or, inside {@link #transaction}, to the one
 * connection of a transaction, and both run the same SQL methods. This is the only transaction style, because the
 * others it replaced (actions taking the pool out of a store and passing a connection back into methods that had a
 * connection parameter) let an action run a statement outside its transaction by mistake, and gave a method a twin
 * for each. Here actions never see a pool or a connection; {@code withTransaction} commits when the work succeeds
 * and rolls back when it fails (also when it throws), and returns the connection either way.
 *
 * @param <S> the store itself, so that the work gets the store type it knows
 */
abstract class PgStore<S extends PgStore<S>> {
  private final SqlClient db;
  private final Pool pool;

  PgStore(Pool pool) {
    this(pool, pool);
  }

  PgStore(SqlClient db, Pool pool) {
    this.db = db;
    this.pool = pool;
  }

  /** This store on one connection of a transaction. */
  abstract S boundTo(SqlClient connection, Pool pool);

  /** Runs {@code work} in one transaction: committed when it succeeds, rolled back when it fails. */
  <T> Single<T> transaction(Function<S, Single<T>> work) {
    if (db != pool) {
      throw new IllegalStateException("already in a transaction");
    }
    return pool.<T>rxWithTransaction(connection -> work.apply(boundTo(connection, pool)).toMaybe()).toSingle();
  }

  /** One statement, on the transaction's connection when in one, else on any connection of the pool. */
  Single<RowSet<Row>> query(String sql, Tuple arguments) {
    return db.preparedQuery(sql).rxExecute(arguments);
  }

  static Maybe<Row> first(RowSet<Row> rows) {
    var iterator = rows.iterator();
    return iterator.hasNext() ? Maybe.just(iterator.next()) : Maybe.empty();
  }
}
