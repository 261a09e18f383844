// Shared by the trainee's and the facilitator's pages: the token, the API, the live stream, and small helpers.

window.firedrill = (() => {
  const token = new URLSearchParams(location.search).get('token') ?? ''

  /** POSTs JSON with the token; resolves with the answer, or rejects with the server's message. */
  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body ?? {}),
    })
    const answer = await response.json().catch(() => ({}))
    if (!response.ok) throw new Error(answer.message ?? `${response.status} ${response.statusText}`)
    return answer
  }

  /** Follows the server-sent view; `onView` gets each whole view. */
  function follow(path, onView) {
    const source = new EventSource(`${path}?token=${encodeURIComponent(token)}`)
    source.addEventListener('view', (event) => onView(JSON.parse(event.data)))
    source.onerror = () => {
      document.body.dataset.live = 'reconnecting'
    }
    source.onopen = () => {
      document.body.dataset.live = 'live'
    }
    return source
  }

  /** An element with attributes and children; strings become text, never HTML. */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v)
      else if (k === 'text') node.textContent = v
      else node.setAttribute(k, v === true ? '' : String(v))
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue
      node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child)
    }
    return node
  }

  const time = (iso) => (iso ? new Date(iso).toISOString().slice(11, 19) : '')

  /** Shows a message in the page's alert region (errors from the API, confirmations). */
  function notify(message, kind = 'error') {
    const region = document.getElementById('notice')
    region.textContent = message
    region.dataset.kind = kind
  }

  /** Runs an action, saying what went wrong if it did; `done` is the words for success, or makes them from the answer. */
  async function act(fn, done) {
    try {
      const answer = await fn()
      if (done) notify(typeof done === 'function' ? done(answer) : done, 'ok')
    } catch (err) {
      notify(err.message, 'error')
    }
  }

  /** A line chart (uPlot) that is given new data on every view. */
  function chart(container, title, series, options = {}) {
    const width = Math.max(260, container.clientWidth - 16)
    const plot = new window.uPlot(
      {
        title,
        width,
        height: 170,
        scales: { x: { time: true }, y: options.y ?? {} },
        axes: [{}, { size: 64, values: options.values }],
        series: [{}, ...series],
        legend: { show: true },
      },
      [[], ...series.map(() => [])],
      container,
    )
    return (t, ...ys) => plot.setData([t, ...ys])
  }

  function replace(id, ...children) {
    const node = document.getElementById(id)
    node.replaceChildren(...children.flat())
    return node
  }

  const shown = new Map()
  /** Renders a part of the page only when its data changed, so a button is never swapped under a click. */
  function once(key, data, render) {
    const json = JSON.stringify(data)
    if (shown.get(key) === json) return
    shown.set(key, json)
    render()
  }

  return { token, post, follow, el, time, notify, act, chart, replace, once }
})()
