// The trainee's page: the pager, the dashboards, the flags, the changes and the incident channel.
;(() => {
  const { post, follow, el, time, act, chart, replace, token, once } = window.firedrill
  const pct = (ratio) => (ratio === null || ratio === undefined ? '' : `${(ratio * 100).toFixed(2)} %`)
  const charts = {
    sli: chart(
      document.getElementById('chart-sli'),
      'Availability vs SLO',
      [
        { label: 'availability', stroke: '#2563eb', width: 2, value: (_u, v) => pct(v) },
        { label: 'SLO', stroke: '#dc2626', dash: [6, 4], value: (_u, v) => pct(v) },
      ],
      { values: (_u, ticks) => ticks.map((v) => `${(v * 100).toFixed(1)}%`) },
    ),
    rate: chart(document.getElementById('chart-rate'), 'Request rate (req/s)', [
      { label: 'req/s', stroke: '#059669', width: 2, value: (_u, v) => (v === null ? '' : v.toFixed(1)) },
    ]),
    errors: chart(
      document.getElementById('chart-errors'),
      'Error ratio',
      [
        {
          label: 'errors',
          stroke: '#dc2626',
          width: 2,
          fill: 'rgba(220,38,38,0.1)',
          value: (_u, v) => pct(v),
        },
      ],
      { values: (_u, ticks) => ticks.map((v) => `${(v * 100).toFixed(0)}%`) },
    ),
    latency: chart(document.getElementById('chart-latency'), 'Latency (ms)', [
      { label: 'p50', stroke: '#7c3aed', width: 2 },
      { label: 'p99', stroke: '#ea580c', width: 2 },
    ]),
    queue: chart(document.getElementById('chart-queue'), 'Fulfilment queue depth (jobs)', [
      { label: 'waiting + active', stroke: '#0891b2', width: 2 },
    ]),
  }

  // The one dialog that asks for a reason: a flag turned on or off, production rolled back, or the fulfilment
  // queue paused or resumed.
  let pending = null
  const dialog = document.getElementById('flag-dialog')
  function askReason(action, title) {
    pending = action
    document.getElementById('flag-dialog-title').textContent = title
    document.getElementById('flag-reason').value = ''
    dialog.showModal()
  }
  document.getElementById('flag-cancel').addEventListener('click', () => dialog.close())
  document.getElementById('flag-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const reason = document.getElementById('flag-reason').value.trim()
    const action = pending
    dialog.close()
    if (action.kind === 'queue') {
      act(
        () => post(`/api/trainee/queue/${action.move}`, { reason }),
        action.move === 'pause'
          ? 'Fulfilment queue paused: its workers take no new order.'
          : 'Fulfilment queue resumed: its workers take the held orders.',
      )
      return
    }
    if (action.kind === 'rollback') {
      act(
        () => post('/api/trainee/rollback', { reason }),
        (rolled) => `Production rolled back from ${rolled.from.slice(0, 16)} to ${rolled.to.slice(0, 16)}.`,
      )
      return
    }
    act(
      () => post(`/api/trainee/flags/${encodeURIComponent(action.key)}`, { turn: action.turn, reason }),
      `${action.key} turned ${action.turn}.`,
    )
  })
  document.getElementById('status-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const box = document.getElementById('status-text')
    const text = box.value.trim()
    act(async () => {
      await post('/api/trainee/status', { text })
      box.value = ''
    }, 'Update posted.')
  })

  function renderPager(view) {
    const page = view.page
    if (page === null) return
    const acked = page.acknowledgedBy !== null
    replace(
      'pager',
      el(
        'div',
        { class: `page severity-${page.severity}` },
        el('h3', { text: page.alert }),
        el('p', {}, el('span', { class: 'badge', text: page.severity }), ` since ${time(page.startsAt)} UTC`),
        el('p', { class: 'summary', text: page.summary }),
        el('p', { class: 'quiet', text: page.description }),
        page.runbook === null
          ? null
          : el(
              'p',
              {},
              el('a', {
                href: `${page.runbook}?token=${encodeURIComponent(token)}`,
                target: '_blank',
                text: 'Open the runbook',
              }),
            ),
        acked
          ? el('p', { class: 'ok', text: `Acknowledged by ${page.acknowledgedBy}` })
          : el('button', {
              type: 'button',
              class: 'primary',
              text: 'Acknowledge',
              onclick: () => act(() => post('/api/trainee/acknowledge'), 'Page acknowledged.'),
            }),
      ),
    )
  }

  function renderFlags(view) {
    if (view.flags === null) return
    replace(
      'flags',
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...['Flag', 'Serving', 'Owner', 'Recent changes', ''].map((h) => el('th', { text: h })),
          ),
        ),
        el(
          'tbody',
          {},
          view.flags.map((f) =>
            el(
              'tr',
              { 'data-flag': f.key },
              el(
                'td',
                {},
                el('code', { text: f.key }),
                el('div', { class: 'quiet', text: [f.type, f.lifecycle].filter(Boolean).join(' · ') }),
              ),
              el('td', { text: f.serving }),
              el('td', { text: f.owner ?? '' }),
              el(
                'td',
                {},
                f.audit.length === 0
                  ? el('span', { class: 'quiet', text: 'none' })
                  : el(
                      'ul',
                      { class: 'audit' },
                      f.audit.map((a) =>
                        el('li', { text: `${time(a.at)} ${a.actor}: ${a.from} → ${a.to} (${a.reason})` }),
                      ),
                    ),
              ),
              el(
                'td',
                {},
                el('button', {
                  type: 'button',
                  'aria-label': `Turn off ${f.key}`,
                  text: 'Turn off',
                  disabled: view.status === 'over',
                  onclick: () => askReason({ kind: 'flag', key: f.key, turn: 'off' }, `Turn off ${f.key}`),
                }),
                el('button', {
                  type: 'button',
                  'aria-label': `Turn on ${f.key}`,
                  text: 'Turn on',
                  disabled: view.status === 'over',
                  onclick: () => askReason({ kind: 'flag', key: f.key, turn: 'on' }, `Turn on ${f.key}`),
                }),
              ),
            ),
          ),
        ),
      ),
    )
  }

  function renderQueue(view) {
    const queue = view.queue
    replace(
      'queue-control',
      el(
        'div',
        { class: 'queue-control' },
        el('p', {
          class: queue.paused ? 'queue-paused' : 'quiet',
          text: queue.paused
            ? `Fulfilment queue PAUSED by ${queue.by} since ${time(queue.since)} UTC: ${queue.reason}`
            : 'Fulfilment queue running.',
        }),
        view.status !== 'paged'
          ? null
          : queue.paused
            ? el('button', {
                type: 'button',
                text: 'Resume the fulfilment queue',
                onclick: () =>
                  askReason(
                    { kind: 'queue', move: 'resume' },
                    'Resume the fulfilment queue: its workers take the held orders again',
                  ),
              })
            : el('button', {
                type: 'button',
                text: 'Pause the fulfilment queue',
                onclick: () =>
                  askReason(
                    { kind: 'queue', move: 'pause' },
                    'Pause the fulfilment queue: its workers finish the orders in hand and take no new one until it is resumed',
                  ),
              }),
      ),
    )
  }

  function renderChanges(view) {
    replace(
      'rollback',
      view.status === 'paged'
        ? el('button', {
            type: 'button',
            text: 'Roll back production',
            onclick: () =>
              askReason(
                { kind: 'rollback' },
                'Roll back production to the artifact before its latest deploy',
              ),
          })
        : null,
    )
    replace(
      'deploys',
      view.deploys.length === 0
        ? el('p', { class: 'quiet', text: 'No deploys yet.' })
        : el(
            'table',
            {},
            el(
              'thead',
              {},
              el('tr', {}, ...['When', 'Commit', 'Artifact', 'Where'].map((h) => el('th', { text: h }))),
            ),
            el(
              'tbody',
              {},
              view.deploys.map((d) =>
                el(
                  'tr',
                  {},
                  el('td', { text: time(d.at) }),
                  el('td', {}, el('code', { text: d.commit.slice(0, 12) })),
                  el('td', {}, el('code', { text: d.artifact ? d.artifact.slice(0, 16) : '' })),
                  el('td', { text: `${d.environment ?? ''}${d.dark ? ' (dark)' : ''}` }),
                ),
              ),
            ),
          ),
    )
    replace(
      'flag-changes',
      view.flagChanges.length === 0
        ? el('p', { class: 'quiet', text: view.flags === null ? 'Visible once you are paged.' : 'None.' })
        : el(
            'ul',
            { class: 'audit' },
            view.flagChanges.map((c) =>
              el(
                'li',
                {},
                `${time(c.at)} `,
                el('strong', { text: c.actor }),
                ` ${c.flag}: ${c.from} → ${c.to} (${c.reason})`,
              ),
            ),
          ),
    )
  }

  function renderChannel(view) {
    replace(
      'channel',
      view.channel.map((m) =>
        el(
          'li',
          { class: m.kind },
          el('span', { class: 'quiet', text: `${time(m.at)} ${m.by}${m.kind === 'hint' ? ' (hint)' : ''}` }),
          ' ',
          m.text,
        ),
      ),
    )
  }

  const PROVIDER = {
    operational: 'Operational',
    degraded: 'Degraded performance',
    'partial-outage': 'Partial outage',
    'major-outage': 'Major outage',
  }
  function renderProvider(view) {
    const p = view.provider
    if (p === null) return
    replace(
      'provider',
      el(
        'p',
        { class: `provider-status ${p.status}` },
        el('span', { class: 'badge', text: PROVIDER[p.status] }),
        ` ${p.summary}`,
      ),
      el('p', { class: 'quiet', text: `Since ${time(p.since)} UTC` }),
    )
  }

  // The logs, filtered in the page: words anywhere in the line, and a lowest level.
  const RANK = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5 }
  let logs = []
  function renderLogs() {
    const words = document.getElementById('logs-text').value.trim().toLowerCase()
    const lowest = RANK[document.getElementById('logs-level').value]
    const text = (l) => `${l.source} ${l.message} ${l.fields}`
    const shown = logs
      .filter((l) => RANK[l.level] >= lowest && (words === '' || text(l).toLowerCase().includes(words)))
      .slice(-100)
      .reverse()
    replace(
      'logs',
      shown.length === 0
        ? el('li', { class: 'quiet', text: logs.length === 0 ? 'No log lines yet.' : 'No line matches.' })
        : shown.map((l) =>
            el(
              'li',
              { class: `log ${l.level}` },
              el('span', { class: 'quiet', text: `${time(l.at)} ` }),
              el('span', { class: 'level', text: l.level.toUpperCase() }),
              ` [${l.source}] ${l.message} `,
              el('span', { class: 'quiet', text: l.fields }),
            ),
          ),
    )
  }
  document.getElementById('logs-text').addEventListener('input', renderLogs)
  document.getElementById('logs-level').addEventListener('change', renderLogs)
  document.getElementById('logs-filter').addEventListener('submit', (event) => event.preventDefault())

  function renderCharts(view) {
    const d = view.dashboards
    charts.sli(
      d.t,
      d.availability,
      d.t.map(() => d.objective),
    )
    charts.rate(d.t, d.requestRate)
    charts.errors(d.t, d.errorRatio)
    charts.latency(d.t, d.latencyP50Ms, d.latencyP99Ms)
    charts.queue(d.queueT, d.queueDepth)
  }

  const STATUS = { preparing: 'starting', 'on-call': 'on call', paged: 'PAGED', over: 'drill over' }
  follow('/api/trainee/events', (view) => {
    document.getElementById('who').textContent = view.trainee
    const status = document.getElementById('status')
    status.textContent = `${STATUS[view.status]}${view.paused ? ' · paused' : ''}`
    status.dataset.status = view.status
    once('pager', view.page, () => renderPager(view))
    once('flags', [view.flags, view.status === 'over'], () => renderFlags(view))
    once('changes', [view.deploys, view.flagChanges, view.flags === null, view.status], () =>
      renderChanges(view),
    )
    once('queue', [view.queue, view.status], () => renderQueue(view))
    once('channel', view.channel, () => renderChannel(view))
    once('provider', view.provider, () => renderProvider(view))
    once('logs', view.logs, () => {
      logs = view.logs
      renderLogs()
    })
    renderCharts(view)
    document.body.dataset.status = view.status
  })
})()
