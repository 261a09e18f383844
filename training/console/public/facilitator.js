// The facilitator's page: the review gate, the ground truth, the live score, hints and abort.
;(() => {
  const { post, follow, el, time, act, replace, once } = window.firedrill
  const seconds = (ms) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`)

  document
    .getElementById('approve')
    .addEventListener('click', () =>
      act(() => post('/api/facilitator/review', { approved: true }), 'Plan approved: the drill starts.'),
    )
  document.getElementById('refuse').addEventListener('click', () =>
    act(
      () =>
        post('/api/facilitator/review', {
          approved: false,
          reason: document.getElementById('refuse-reason').value,
        }),
      'Plan refused: nothing was changed.',
    ),
  )
  document.getElementById('hint-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const box = document.getElementById('hint-text')
    act(async () => {
      await post('/api/facilitator/hint', { text: box.value.trim() })
      box.value = ''
    }, 'Hint sent.')
  })
  // One form, two actions: pause while the drill runs, resume while it is paused.
  let paused = false
  document.getElementById('pause-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const box = document.getElementById('pause-reason')
    if (paused) act(() => post('/api/facilitator/resume'), 'Resumed: the release goes on from where it was.')
    else
      act(async () => {
        await post('/api/facilitator/pause', box.value.trim() ? { reason: box.value.trim() } : {})
        box.value = ''
      }, 'Paused: the release holds; traffic and alerts go on.')
  })

  function renderPause(view) {
    paused = view.paused !== null
    document.getElementById('pause-button').textContent = paused ? 'Resume drill' : 'Pause drill'
    document.getElementById('pause-button').disabled = view.over
    document.getElementById('pause-reason').hidden = paused
    document.querySelector('label[for="pause-reason"]').hidden = paused
    document.getElementById('paused').textContent = paused
      ? `Paused by ${view.paused.by} at ${time(view.paused.since)} UTC${view.paused.reason ? `: ${view.paused.reason}` : ''}`
      : 'Pausing holds the release where it is; traffic and alerts go on.'
  }

  document.getElementById('abort-form').addEventListener('submit', (event) => {
    event.preventDefault()
    act(
      () => post('/api/facilitator/abort', { reason: document.getElementById('abort-reason').value }),
      'Aborting: everything is being put back.',
    )
  })

  function renderReview(view) {
    const form = document.getElementById('review-form')
    if (view.review === null) return
    replace(
      'review',
      el(
        'ul',
        { class: 'checks' },
        view.review.checks.map((c) =>
          el('li', {
            class: c.ok ? 'ok' : 'fail',
            text: `${c.ok ? 'ok' : 'FAIL'} ${c.name}${c.message ? `: ${c.message}` : ''}`,
          }),
        ),
      ),
      el('details', {}, el('summary', { text: 'The plan' }), el('pre', { text: view.review.plan })),
      view.reviewed === null
        ? null
        : el('p', {
            class: view.reviewed.approved ? 'ok' : 'fail',
            text: view.reviewed.approved
              ? `Approved by ${view.reviewed.by}`
              : `Refused by ${view.reviewed.by}: ${view.reviewed.reason}`,
          }),
    )
    form.hidden = view.reviewed !== null
  }

  function renderTruth(view) {
    const t = view.truth
    const rows = [
      ['Scenario', `${t.scenario} (seed ${t.seed})`],
      ['What happens', t.title],
      [
        'The cause',
        t.flag === null ? 'the latest deploy (no flag guards it)' : `the change behind ${t.flag}`,
      ],
      ['Fault', t.fault],
      ['Expected mitigation', t.expectedMitigation],
      [
        'Decoys',
        t.decoys.map((d) => `${d.actor} turns ${d.flag} ${d.to} (after the ${d.after})`).join('; ') || 'none',
      ],
    ]
    replace(
      'truth',
      rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]),
    )
  }

  function renderScore(view) {
    const s = view.score
    if (s === null) return
    replace(
      'score',
      el(
        'p',
        { class: 'total' },
        el('strong', { text: `${s.points}` }),
        ` / ${s.max}`,
        s.hints.count ? ` (${s.hints.count} hint(s), −${s.hints.cost})` : '',
      ),
      el('p', {
        class: 'quiet',
        text: `acknowledge ${seconds(s.acknowledgeMs)} · mitigate ${seconds(s.mitigateMs)} · first update ${seconds(s.firstUpdateMs)}`,
      }),
      el(
        'table',
        {},
        el(
          'tbody',
          {},
          s.items.map((i) =>
            el(
              'tr',
              {},
              el('td', { text: i.criterion }),
              el('td', { text: `${i.points}/${i.max}` }),
              el('td', { class: 'quiet', text: i.detail }),
            ),
          ),
        ),
      ),
    )
    replace(
      'actions',
      s.actions.map((a) =>
        el(
          'li',
          { class: a.kind },
          el('span', { class: 'quiet', text: `+${seconds(a.afterPageMs)} ` }),
          a.text,
        ),
      ),
    )
  }

  follow('/api/facilitator/events', (view) => {
    document.getElementById('who').textContent = `${view.facilitator} · trainee ${view.trainee.trainee}`
    const status = document.getElementById('status')
    status.textContent = view.over ? 'drill over' : `${view.trainee.status}${view.paused ? ' · paused' : ''}`
    status.dataset.status = view.over ? 'over' : view.trainee.status
    once('review', [view.review, view.reviewed], () => renderReview(view))
    once('truth', view.truth, () => renderTruth(view))
    once('pause', [view.paused, view.over], () => renderPause(view))
    once('score', view.score, () => renderScore(view))
    replace(
      'journal',
      [...view.journal]
        .reverse()
        .map((e) => el('li', {}, el('span', { class: 'quiet', text: `${time(e.at)} #${e.seq} ` }), e.text)),
    )
    document.body.dataset.status = view.over ? 'over' : view.trainee.status
  })
})()
