# Not a leak: the handler is only added when the logger has none yet, so repeated calls attach at most one handler.
import logging
import sys


def get_job_logger() -> logging.Logger:
    logger = logging.getLogger("jobs.billing")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def charge_overdue_accounts(account_ids: list[int]) -> int:
    log = get_job_logger()
    charged = 0
    for account_id in account_ids:
        log.info("charging account %s", account_id)
        charged += 1
    return charged
