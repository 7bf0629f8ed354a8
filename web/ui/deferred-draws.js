// deferred-draws.js — draws what an element shows only once it is in view. A drawing asked for
// an element out of view waits (the last one asked wins) and the element gets a class that hides
// its out-of-date content (no stale picture is ever shown); an IntersectionObserver runs the
// drawing when the element comes into view, and printing runs every waiting one. A filter change
// then costs no drawing below the fold: the charts there, the records table.

// How far outside the viewport an element still counts as in view (px). An element scrolled into
// view is drawn in the frame after the one it first shows in (the observer's callback), hidden in
// that one: a sliver at the window's edge for one frame.
const VIEW_MARGIN = 0;

/** Whether `el` is laid out, shown, and in the viewport or within VIEW_MARGIN of it. */
function inView(el) {
  if (!el) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.bottom > -VIEW_MARGIN && r.top < innerHeight + VIEW_MARGIN &&
    r.right > 0 && r.left < innerWidth;
}

export class DeferredDraws {
  constructor() {
    this.waiting = new Map(); // element → { draw, hiddenClass }
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) if (e.isIntersecting) this.flush(e.target);
    }, { rootMargin: `${VIEW_MARGIN}px 0px` });
    // A printed page shows everything: nothing may be left waiting.
    addEventListener('beforeprint', () => {
      for (const el of [...this.waiting.keys()]) this.flush(el);
    });
  }

  /**
   * Runs draw() now when `el` is in view (any drawing still waiting for it is dropped), else when
   * it comes into view, with `hiddenClass` on `el` meanwhile.
   */
  run(el, draw, hiddenClass) {
    if (inView(el)) {
      this.forget(el);
      draw();
      return;
    }
    const before = this.waiting.get(el);
    if (before && before.hiddenClass !== hiddenClass) el.classList.remove(before.hiddenClass);
    this.waiting.set(el, { draw, hiddenClass });
    el.classList.add(hiddenClass);
    this.observer.observe(el);
  }

  /**
   * Runs now every waiting drawing whose element is in view. For the end of an update that moved
   * things: a drawing deferred on the layout before its text changed may be in view now, and the
   * observer would draw it only after the next frame (shown hidden for that frame).
   */
  flushInView() {
    for (const el of [...this.waiting.keys()]) if (inView(el)) this.flush(el);
  }

  /** Whether a drawing waits for `el`. */
  has(el) {
    return this.waiting.has(el);
  }

  /** Runs the drawing waiting for `el` (if any) now, and shows `el` again. */
  flush(el) {
    const w = this.forget(el);
    if (w) w.draw();
  }

  forget(el) {
    const w = this.waiting.get(el);
    if (!w) return null;
    this.waiting.delete(el);
    this.observer.unobserve(el);
    el.classList.remove(w.hiddenClass);
    return w;
  }
}
