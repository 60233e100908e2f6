// Framework names that say "this function runs per request or per job", shared by the semantic
// model (which reads decorators from the tree) and the project index (which reads lines).

/** Route decorators (`@app.get(...)`, `@router.post(...)`, `@bp.route(...)`): the function runs per request. */
export const ROUTE_DECORATORS = new Set([
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
  'route',
  'websocket',
  'api_route',
  'view',
  'endpoint',
]);

/** Request hooks, called or not (`@app.before_request`, `@app.middleware("http")`): run per request. */
export const REQUEST_HOOK_DECORATOR = /^((before|after|teardown)_(app_)?request|middleware)$/;

/**
 * Task decorators whose meaning is unambiguous (`@shared_task`, `@app.task`, `@dramatiq.actor`):
 * the function runs per job. Broader handler names (`on`, `event`, `receiver`) need the tree to
 * tell a start-up hook from a per-event one, so the line index leaves them out.
 */
export const TASK_DECORATOR = /^(task|shared_task|periodic_task|actor)$/;
