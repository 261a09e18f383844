// The facilitator's page over several trainees: each drill's status and score, and approve-all and abort-all.
;(() => {
  const { post, follow, el, act, replace } = window.firedrill

  document.getElementById('approve-all').addEventListener('click', () =>
    act(
      () => post('/api/group/approve'),
      (answer) => `Approved: ${answer.approved.join(', ')}. Their drills start.`,
    ),
  )
  document.getElementById('abort-all-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const reason = document.getElementById('abort-all-reason').value.trim()
    act(
      () => post('/api/group/abort', reason ? { reason } : {}),
      (answer) => `Aborting: ${answer.aborted.join(', ')}. Everything is being put back.`,
    )
  })

  const STATUS = { preparing: 'starting', 'on-call': 'on call', paged: 'PAGED', over: 'drill over' }
  follow('/api/group/events', (view) => {
    document.getElementById('who').textContent = `${view.trainees.length} trainees`
    const t = view.truth
    replace(
      'truth',
      [
        ['Scenario', `${t.scenario} (seed ${t.seed}, the same for every trainee)`],
        ['What happens', t.title],
        ['Expected mitigation', t.expectedMitigation],
      ].flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]),
    )
    replace(
      'trainees',
      view.trainees.map((x) =>
        el(
          'tr',
          { 'data-trainee': x.trainee },
          el('td', { text: x.trainee }),
          el('td', { text: `${STATUS[x.status]}${x.paused ? ' · paused' : ''}` }),
          el('td', {
            text: x.awaitingReview
              ? 'waiting for approval'
              : x.reviewed === null
                ? 'preflight running'
                : x.reviewed.approved
                  ? `approved by ${x.reviewed.by}`
                  : `refused by ${x.reviewed.by}`,
          }),
          el('td', { text: x.score === null ? '-' : `${x.score.points} / ${x.score.max}` }),
          el(
            'td',
            {},
            el('a', { href: x.facilitatorUrl, target: '_blank', text: `Facilitator page of ${x.trainee}` }),
            ' · ',
            el('a', { href: x.traineeUrl, target: '_blank', text: `Console of ${x.trainee}` }),
          ),
        ),
      ),
    )
  })
})()
