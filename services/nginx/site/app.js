/* global document, window */
// The hello-world page: greets with the words the hello and world services answer, and keeps a live
// view of which instances nginx knows and which ones answered, refreshed every second.
// Everything from the network is shown with textContent: a backend can never inject markup.

const SERVICES = ['hello', 'world'];
const POLL_MS = 1000;
const REQUEST_TIMEOUT_MS = 2500;
const HISTORY_LENGTH = 8;

const history = { hello: [], world: [] };
let paused = false;
let refreshing = false;
let timer;

/** GET a JSON document; never throws. status 0 means nginx could not be reached at all. */
async function getJson(url) {
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  try {
    const response = await fetch(url, {
      cache: 'no-store',
      headers: { accept: 'application/json' },
      signal: controller.signal,
    });
    let body = null;
    try {
      body = await response.json();
    } catch {
      // Not JSON (e.g. an error page from something in front of nginx): treated as no body.
    }
    return { ok: response.ok, status: response.status, body };
  } catch {
    return { ok: false, status: 0, body: null };
  } finally {
    clearTimeout(timeout);
  }
}

/** The instances nginx routes to, from /instances.json; null when unknown. */
function healthyInstances(result, service) {
  if (!result.ok || !result.body || !Array.isArray(result.body[service])) return null;
  return result.body[service]
    .filter((entry) => entry && typeof entry.id === 'string')
    .map((entry) => ({ id: entry.id, address: String(entry.address ?? ''), port: Number(entry.port) }));
}

/** What one service's answer means for the page. */
function interpretAnswer(result, service) {
  const body = result.body;
  if (result.ok && body && typeof body.message === 'string' && typeof body.instance === 'string') {
    return {
      state: 'ok',
      message: body.message,
      instance: body.instance,
      version: String(body.version ?? ''),
    };
  }
  if (result.status === 503 && body && body.error === 'unavailable') {
    return { state: 'none', text: `No ${service} instances are available` };
  }
  if (result.status === 0) return { state: 'error', text: 'nginx did not answer' };
  return { state: 'error', text: `${service} did not answer (HTTP ${result.status})` };
}

function byTestId(id) {
  return document.querySelector(`[data-testid="${id}"]`);
}

function setText(element, text) {
  // Only touch the DOM on change, so screen readers announce status changes once.
  if (element.textContent !== text) element.textContent = text;
}

/** A stable colour per instance, so the same instance is recognisable in both lists. */
function hueOf(id) {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.codePointAt(0)) % 360;
  return hash;
}

function instanceChip(id) {
  const chip = document.createElement('span');
  chip.className = 'chip';
  chip.textContent = id;
  chip.style.setProperty('--hue', String(hueOf(id)));
  return chip;
}

function renderGreeting(service, answer) {
  const heading = byTestId(`${service}-word`);
  heading.dataset.state = answer.state;
  if (answer.state === 'ok') setText(heading, answer.message);
  else if (answer.state === 'none') setText(heading, `no ${service} instances`);
  else setText(heading, `${service} unavailable`);
}

function renderCount(service, instances) {
  const count = instances === null ? '?' : String(instances.length);
  setText(byTestId(`${service}-count`), count);
  setText(byTestId(`${service}-count-label`), count === '1' ? 'healthy instance' : 'healthy instances');
  byTestId(`${service}-card`).dataset.healthy = count;
}

function renderStatus(service, answer) {
  const status = byTestId(`${service}-status`);
  status.dataset.state = answer.state;
  setText(status, answer.state === 'ok' ? `Answered by ${answer.instance}` : answer.text);
}

function renderInstances(service, instances) {
  const list = byTestId(`${service}-instances`);
  const answers = history[service];
  const last = answers[0];
  if (instances === null) {
    list.replaceChildren(emptyItem('Unknown: nginx did not say'));
    return;
  }
  if (instances.length === 0) {
    list.replaceChildren(emptyItem(`No ${service} instances`));
    return;
  }
  list.replaceChildren(
    ...instances.map((instance) => {
      const item = document.createElement('li');
      item.dataset.testid = `${service}-instance`;
      item.dataset.instance = instance.id;
      item.append(instanceChip(instance.id));
      const answered = answers.filter((id) => id === instance.id).length;
      const detail = document.createElement('span');
      detail.className = 'detail';
      detail.textContent = `${instance.address}:${instance.port} · ${answered} of last ${answers.length}`;
      item.append(detail);
      if (instance.id === last) {
        item.classList.add('is-last');
        item.setAttribute('aria-current', 'true');
      }
      return item;
    }),
  );
}

function renderAnswers(service) {
  const list = byTestId(`${service}-answers`);
  const answers = history[service];
  if (answers.length === 0) {
    list.replaceChildren(emptyItem('No answers yet'));
    return;
  }
  list.replaceChildren(
    ...answers.map((id) => {
      const item = document.createElement('li');
      item.dataset.testid = `${service}-answer`;
      item.dataset.instance = id;
      item.append(instanceChip(id));
      return item;
    }),
  );
}

function emptyItem(text) {
  const item = document.createElement('li');
  item.className = 'empty';
  item.textContent = text;
  return item;
}

async function refresh() {
  const [instancesResult, ...answerResults] = await Promise.all([
    getJson('/instances.json'),
    ...SERVICES.map((service) => getJson(`/${service}?format=json`)),
  ]);
  SERVICES.forEach((service, index) => {
    const answer = interpretAnswer(answerResults[index], service);
    if (answer.state === 'ok') {
      history[service] = [answer.instance, ...history[service]].slice(0, HISTORY_LENGTH);
    }
    const instances = healthyInstances(instancesResult, service);
    renderGreeting(service, answer);
    renderCount(service, instances);
    renderStatus(service, answer);
    renderInstances(service, instances);
    renderAnswers(service);
  });
  const updated = byTestId('updated-at');
  const now = new Date();
  updated.dateTime = now.toISOString();
  setText(updated, now.toLocaleTimeString());
  setText(
    byTestId('nginx-status'),
    instancesResult.status === 0 ? 'nginx is not answering' : 'nginx is answering',
  );
}

/** One refresh at a time; the next is scheduled when the previous one is done. */
async function loop() {
  if (refreshing) return;
  window.clearTimeout(timer);
  timer = undefined;
  refreshing = true;
  try {
    // A hidden tab does not poll; coming back to it refreshes at once (see start()).
    if (!paused && document.visibilityState !== 'hidden') await refresh();
  } finally {
    refreshing = false;
  }
  if (!paused) timer = window.setTimeout(loop, POLL_MS);
}

function setPaused(value) {
  paused = value;
  const button = byTestId('pause');
  button.setAttribute('aria-pressed', String(paused));
  button.textContent = paused ? 'Resume updates' : 'Pause updates';
  if (paused) {
    window.clearTimeout(timer);
    timer = undefined;
  } else {
    void loop();
  }
}

function start() {
  byTestId('pause').addEventListener('click', () => setPaused(!paused));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && !paused) void loop();
  });
  void loop();
}

start();
