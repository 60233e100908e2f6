# Leaks: every task run calls create_engine (a new connection pool) and never disposes of it.
from celery import shared_task
from sqlalchemy import create_engine, text


@shared_task(name="reports.tenant_usage")
def tenant_usage(tenant_dsn: str, month: str) -> dict:
    engine = create_engine(tenant_dsn, pool_pre_ping=True)  # expect: LEAK004
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT feature, count(*) FROM usage_events WHERE to_char(ts, 'YYYY-MM') = :m GROUP BY feature"),
            {"m": month},
        ).all()
    return {feature: count for feature, count in rows}
