package dev.odim.server.internal;

import java.sql.SQLException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.postgresql.util.PSQLState;

/** How the server recognises the database refusals it answers with a 409. */
public final class SqlErrors {
  private SqlErrors() {}

  /** Whether {@code e} is PostgreSQL refusing a row that breaks a unique constraint. */
  public static boolean isUniqueViolation(UnableToExecuteStatementException e) {
    return e.getCause() instanceof SQLException sql
        && PSQLState.UNIQUE_VIOLATION.getState().equals(sql.getSQLState());
  }
}
