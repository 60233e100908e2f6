// A module whose helper adds a handler to a named logger each time it is called (LEAK005 when
// it is called per job), and a module that calls it only at import: what another file says
// about the helper decides whether it is reported (the project index).
export const JOB_LOGGER_HELPER = [
  'import logging',
  '',
  '',
  'def get_job_logger(name):',
  '    logger = logging.getLogger("jobs." + name)',
  '    logger.addHandler(logging.StreamHandler())',
  '    return logger',
  '',
].join('\n');

export const CALLED_AT_IMPORT =
  'from jobs.helpers import get_job_logger\n\nlogger = get_job_logger(__name__)\n';
