# Runs inside a Keystone image (python3 - < this file): feeds CockroachDB's own error texts, as
# psycopg2 and SQLAlchemy would raise them, through oslo.db's real exception filter
# (oslo_db.sqlalchemy.exc_filters.handler) and prints, per case, which oslo.db exception came out.
# No database is needed: the handler only reads the exception, its SQLSTATE and the dialect name.
import json
import sys
import types

import psycopg2
import psycopg2.errors as pgerr
from oslo_db import exception as dbexc
from oslo_db.sqlalchemy import exc_filters
from sqlalchemy import exc as sqla_exc

HINT = "\nHINT: See: https://www.cockroachlabs.com/docs/v23.1/transaction-retry-error-reference.html"
META = '"sql txn" meta={id=5ef8f1f3 key=/Table/104/1/"9f1c"/0 pri=0.01 epo=0 ts=1701530000.000000001,1 min=1701530000.000000000,0 seq=1} lock=true stat=PENDING rts=1701530000.000000000,0 wto=false gul=1701530000.500000000,0'
# (name, psycopg2 class, SQLSTATE, message as CockroachDB sends it)
CASES = [
    ("retry_serializable", pgerr.SerializationFailure, "40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: TransactionRetryError: retry txn (RETRY_SERIALIZABLE - failed preemptive refresh due to a conflict: committed value on key /Table/104/1/\"9f1c\"/0): " + META + HINT + "#retry_serializable"),
    ("write_too_old", pgerr.SerializationFailure, "40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: WriteTooOldError: write for key /Table/104/1/\"9f1c\"/0 at timestamp 1701530000.000000001,0 too old; wrote at 1701530000.000000002,1" + HINT + "#writetooolderror"),
    ("uncertainty", pgerr.SerializationFailure, "40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: ReadWithinUncertaintyIntervalError: read at time 1701530000.000000001,0 encountered previous write with future timestamp 1701530000.000000002,0 within uncertainty interval `t <= (local=1701530000.000000003,0, global=1701530000.500000000,0)`; observed timestamps: [{1 1701530000.000000001,0}]" + HINT + "#readwithinuncertaintyinterval"),
    ("txn_aborted", pgerr.SerializationFailure, "40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: TransactionAbortedError(ABORT_REASON_ABORTED_RECORD_FOUND): " + META + HINT + "#abort_reason_aborted_record_found"),
    ("injected", pgerr.SerializationFailure, "40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: injected by `inject_retry_errors_enabled` session variable" + HINT),
    # CockroachDB 2.x (the 2017 fork's era): no TransactionRetryWithProtoRefreshError prefix.
    ("retry_txn_v2", pgerr.SerializationFailure, "40001",
     "restart transaction: HandledRetryableTxnError: TransactionRetryError: retry txn (RETRY_WRITE_TOO_OLD)"),
    # A reworded 40001 that no message filter knows: the patch's SQLSTATE filter must still catch it.
    ("sqlstate_only", pgerr.SerializationFailure, "40001",
     "current transaction must be retried after a conflict"),
    ("duplicate", pgerr.UniqueViolation, "23505",
     "duplicate key value violates unique constraint \"ixu_project_name_domain_id\"\nDETAIL: Key (domain_id, name)=('default', 'p1') already exists."),
    ("duplicate_v2", pgerr.UniqueViolation, "23505",
     "duplicate key value (domain_id,name)=('default','p1') violates unique constraint \"ixu_project_name_domain_id\""),
    # Must NOT be retried: an ambiguous commit (40003) may have committed; a missing table is a bug.
    ("ambiguous_result", pgerr.StatementCompletionUnknown, "40003",
     "result is ambiguous (error=rpc error: code = Unavailable desc = transport is closing [exhausted])"),
    ("undefined_table", pgerr.UndefinedTable, "42P01", "relation \"project\" does not exist"),
]


def orig_error(cls, code, message):
    # psycopg2 sets pgcode from the server's reply; a subclass carries it for a hand-made instance.
    sub = type(cls.__name__, (cls,), {"pgcode": code})
    sub.__module__ = cls.__module__
    return sub(message)


def run(dialect):
    out = {}
    for name, cls, code, message in CASES:
        orig = orig_error(cls, code, message)
        # The wrapper class SQLAlchemy itself picks for this DBAPI error (OperationalError, IntegrityError, ...).
        wrapped = sqla_exc.DBAPIError.instance("UPDATE project SET name=%(name)s WHERE project.id = %(id)s", {"name": "p1", "id": "9f1c"}, orig, psycopg2.Error)
        context = types.SimpleNamespace(
            engine=types.SimpleNamespace(dialect=types.SimpleNamespace(name=dialect)),
            sqlalchemy_exception=wrapped, original_exception=orig, is_disconnect=False, connection=None)
        try:
            result = exc_filters.handler(context)
        except Exception as e:  # oslo.db re-raises some errors unchanged (e.g. OperationalError)
            result = e
        row = {"wrapper": type(wrapped).__name__, "raised": type(result).__name__ if result is not None else None}
        if isinstance(result, dbexc.DBDuplicateEntry):
            row["columns"] = result.columns
        out[name] = row
    return out


print(json.dumps({d: run(d) for d in sys.argv[1:] or ["cockroachdb", "postgresql"]}))
