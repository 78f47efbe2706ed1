/**
 * Fused optimizer update loops, in place over Float32Arrays: one pass over the variable `p`, its gradient
 * `g` and its slots per step, with no allocation, so that a 1M-parameter Adam step is memory-bound.
 *
 * Every update kernel starts each element with the same prologue, which folds Keras' shared pre-processing into
 * the loop instead of extra passes:
 *   w = p[i] * keep       decoupled weight decay, Keras' `var -= var * wd * lr` (keep = 1 - wd*lr)
 *   g = g[i] * gscale     loss-scale and clipnorm / global-clipnorm factor
 * With no weight decay and no clipping, keep = gscale = 1, which change nothing. Clip-by-value is rare and
 * would cost every loop a min/max, so the optimizer runs `gradClip` into a scratch buffer first instead.
 * Per-step scalars (bias corrections, schedules) are computed once by the optimizer and passed in.
 * Arithmetic is float64 per element, stored back as float32.
 */

/*
 * NOTE on branches: V8 compiles Math.min, Math.max, Math.sign and ternaries on data to branches, which mispredict
 * on gradient-like data (measured 3-6x slower per loop on random signs). The loops below use branch-free forms:
 *   clamp(x, -c, c) = 0.5 * (|x + c| - |x - c|)       (finite c > 0; NaN propagates)
 *   max(a, b)       = 0.5 * (a + b + |a - b|)
 *   sign(x)         = (x > 0) - (x < 0), NaN kept      (comparisons compile to setcc, not jumps)
 */

/** out = clamp(g * scale, -clip, clip): Keras' clipvalue (finite clip > 0). */
export function gradClip(out: Float32Array, g: Float32Array, scale: number, clip: number): void {
  for (let i = 0; i < out.length; i++) {
    const x = g[i]! * scale;
    out[i] = 0.5 * (Math.abs(x + clip) - Math.abs(x - clip));
  }
}

/** Sum of squares in float64 (for clipnorm and global clipnorm). */
export function sumSquares(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) { const v = x[i]!; s += v * v; }
  return s;
}

/** Gradient accumulation on a non-update step: acc += g * scale. */
export function gradAccumulate(acc: Float32Array, g: Float32Array, scale: number): void {
  for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + g[i]! * scale;
}

/** Gradient accumulation on the update step: acc = (g * scale + acc) / steps, the gradient to apply. */
export function gradAverage(acc: Float32Array, g: Float32Array, scale: number, steps: number): void {
  for (let i = 0; i < acc.length; i++) acc[i] = (g[i]! * scale + acc[i]!) / steps;
}

/** EMA of the weights: avg = m * avg + (1 - m) * p. */
export function emaUpdate(avg: Float32Array, p: Float32Array, momentum: number): void {
  const a = 1 - momentum;
  for (let i = 0; i < avg.length; i++) avg[i] = momentum * avg[i]! + a * p[i]!;
}

/**
 * SGD. Without momentum: w -= lr*g. With momentum: m = momentum*m - lr*g, then w += m, or with Nesterov
 * w += momentum*m - lr*g. `m` is null when momentum is 0 (Keras creates no slot then).
 */
export function sgdUpdate(p: Float32Array, g: Float32Array, m: Float32Array | null, lr: number, momentum: number, nesterov: boolean, keep: number, gscale: number): void {
  const n = p.length;
  if (m === null) {
    for (let i = 0; i < n; i++) p[i] = p[i]! * keep - lr * g[i]! * gscale;
    return;
  }
  if (nesterov) {
    for (let i = 0; i < n; i++) {
      const gi = g[i]! * gscale;
      const mi = momentum * m[i]! - lr * gi;
      m[i] = mi;
      p[i] = p[i]! * keep + (momentum * mi - lr * gi);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const mi = momentum * m[i]! - lr * g[i]! * gscale;
    m[i] = mi;
    p[i] = p[i]! * keep + mi;
  }
}

/**
 * Adam (and AdamW, whose decay is the shared prologue). Keras folds bias correction into the step:
 * alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t), then m += (g - m)(1 - beta1), v += (g^2 - v)(1 - beta2),
 * w -= alpha * m / (sqrt(v) + eps). With AMSGrad, vhat = max(vhat, v) replaces v in the denominator.
 */
export function adamUpdate(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vhat: Float32Array | null, alpha: number, beta1: number, beta2: number, epsilon: number, keep: number, gscale: number): void {
  const n = p.length;
  const a1 = 1 - beta1, a2 = 1 - beta2;
  if (vhat === null) {
    for (let i = 0; i < n; i++) {
      const gi = g[i]! * gscale;
      const mOld = m[i]!, vOld = v[i]!;
      const mi = mOld + (gi - mOld) * a1;
      const vi = vOld + (gi * gi - vOld) * a2;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i]! * keep - (mi * alpha) / (Math.sqrt(vi) + epsilon);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i]! * gscale;
    const mOld = m[i]!, vOld = v[i]!;
    const mi = mOld + (gi - mOld) * a1;
    const vi = vOld + (gi * gi - vOld) * a2;
    m[i] = mi;
    v[i] = vi;
    const h = vhat[i]!;
    const vh = 0.5 * (h + vi + Math.abs(h - vi));
    vhat[i] = vh;
    p[i] = p[i]! * keep - (mi * alpha) / (Math.sqrt(vh) + epsilon);
  }
}

/**
 * RMSprop: v = rho*v + (1-rho)*g^2; centered: a = rho*a + (1-rho)*g and denominator v - a^2 + eps,
 * otherwise v + eps; inc = lr*g / sqrt(denominator); with momentum mom = momentum*mom + inc, w -= mom,
 * otherwise w -= inc. `mom` / `avg` are null when momentum is 0 / not centered.
 */
export function rmspropUpdate(p: Float32Array, g: Float32Array, vel: Float32Array, mom: Float32Array | null, avg: Float32Array | null, lr: number, rho: number, momentum: number, epsilon: number, keep: number, gscale: number): void {
  const n = p.length;
  const a = 1 - rho;
  for (let i = 0; i < n; i++) {
    const gi = g[i]! * gscale;
    const vi = rho * vel[i]! + a * gi * gi;
    vel[i] = vi;
    let denom: number;
    if (avg !== null) {
      const ai = rho * avg[i]! + a * gi;
      avg[i] = ai;
      denom = vi - ai * ai + epsilon;
    } else {
      denom = vi + epsilon;
    }
    const inc = (lr * gi) / Math.sqrt(denom);
    if (mom !== null) {
      const mi = momentum * mom[i]! + inc;
      mom[i] = mi;
      p[i] = p[i]! * keep - mi;
    } else {
      p[i] = p[i]! * keep - inc;
    }
  }
}

/** Adagrad: acc += g^2; w -= lr*g / sqrt(acc + eps). */
export function adagradUpdate(p: Float32Array, g: Float32Array, acc: Float32Array, lr: number, epsilon: number, keep: number, gscale: number): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! * gscale;
    const ai = acc[i]! + gi * gi;
    acc[i] = ai;
    p[i] = p[i]! * keep - (lr * gi) / Math.sqrt(ai + epsilon);
  }
}

/**
 * Adadelta: Eg = rho*Eg + (1-rho)*g^2; d = -sqrt(Ed + eps) * g / sqrt(Eg + eps);
 * Ed = rho*Ed + (1-rho)*d^2; w += lr*d.
 */
export function adadeltaUpdate(p: Float32Array, g: Float32Array, accGrad: Float32Array, accDelta: Float32Array, lr: number, rho: number, epsilon: number, keep: number, gscale: number): void {
  const a = 1 - rho;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! * gscale;
    const eg = rho * accGrad[i]! + a * gi * gi;
    accGrad[i] = eg;
    const d = -(Math.sqrt(accDelta[i]! + epsilon) * gi) / Math.sqrt(eg + epsilon);
    accDelta[i] = rho * accDelta[i]! + a * d * d;
    p[i] = p[i]! * keep + lr * d;
  }
}

/**
 * Adamax: m += (g - m)(1 - beta1); u = max(beta2*u, |g|); w -= lrOverBias * m / (u + eps), where
 * lrOverBias = lr / (1 - beta1^t).
 */
export function adamaxUpdate(p: Float32Array, g: Float32Array, m: Float32Array, u: Float32Array, lrOverBias: number, beta1: number, beta2: number, epsilon: number, keep: number, gscale: number): void {
  const a1 = 1 - beta1;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! * gscale;
    const mOld = m[i]!;
    const mi = mOld + (gi - mOld) * a1;
    m[i] = mi;
    const du = beta2 * u[i]!, ag = Math.abs(gi);
    const ui = 0.5 * (du + ag + Math.abs(du - ag));
    u[i] = ui;
    p[i] = p[i]! * keep - (lrOverBias * mi) / (ui + epsilon);
  }
}

/**
 * Nadam (Keras/Dozat form): m += (g - m)(1 - beta1); v += (g^2 - v)(1 - beta2);
 * mhat = cM*m + cG*g with cM = u_{t+1} / (1 - prod_{t+1}) and cG = (1 - u_t) / (1 - prod_t);
 * vhat = v * vScale with vScale = 1 / (1 - beta2^t); w -= lr*mhat / (sqrt(vhat) + eps).
 */
export function nadamUpdate(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, beta1: number, beta2: number, epsilon: number, cM: number, cG: number, vScale: number, keep: number, gscale: number): void {
  const a1 = 1 - beta1, a2 = 1 - beta2;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! * gscale;
    const mOld = m[i]!, vOld = v[i]!;
    const mi = mOld + (gi - mOld) * a1;
    const vi = vOld + (gi * gi - vOld) * a2;
    m[i] = mi;
    v[i] = vi;
    const mHat = cM * mi + cG * gi;
    p[i] = p[i]! * keep - (lr * mHat) / (Math.sqrt(vi * vScale) + epsilon);
  }
}

/**
 * FTRL-proximal as Keras writes it (l2 already includes beta / (2 lr)):
 * gs = g + 2*l2Shrinkage*w; n' = n + g^2; z += gs - (n'^-p - n^-p) / lr * w;
 * w = (clip(z, ±l1) - z) / (n'^-p / lr + 2*l2); n = n'.   (p = learningRatePower <= 0)
 */
export function ftrlUpdate(p: Float32Array, g: Float32Array, accum: Float32Array, linear: Float32Array, lr: number, lrPower: number, l1: number, l2: number, l2Shrinkage: number, keep: number, gscale: number): void {
  const e = -lrPower;
  const twoShrink = 2 * l2Shrinkage, twoL2 = 2 * l2, invLr = 1 / lr;
  const n = p.length;
  // The default power -0.5 gets its own loop: sqrt is several times cheaper than pow, and a per-element
  // choice between them would cost as much again.
  if (e === 0.5) {
    for (let i = 0; i < n; i++) {
      const gi = g[i]! * gscale;
      const w = p[i]! * keep;
      const a = accum[i]!;
      const aNew = a + gi * gi;
      const powNew = Math.sqrt(aNew);
      const z = linear[i]! + (gi + twoShrink * w) - (powNew - Math.sqrt(a)) * invLr * w;
      linear[i] = z;
      p[i] = (0.5 * (Math.abs(z + l1) - Math.abs(z - l1)) - z) / (powNew * invLr + twoL2);
      accum[i] = aNew;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i]! * gscale;
    const w = p[i]! * keep;
    const a = accum[i]!;
    const aNew = a + gi * gi;
    const powNew = Math.pow(aNew, e);
    const z = linear[i]! + (gi + twoShrink * w) - (powNew - Math.pow(a, e)) * invLr * w;
    linear[i] = z;
    p[i] = (0.5 * (Math.abs(z + l1) - Math.abs(z - l1)) - z) / (powNew * invLr + twoL2);
    accum[i] = aNew;
  }
}

/** Lion: w -= lr * sign(beta1*m + (1 - beta1)*g); m = beta2*m + (1 - beta2)*g. */
export function lionUpdate(p: Float32Array, g: Float32Array, m: Float32Array, lr: number, beta1: number, beta2: number, keep: number, gscale: number): void {
  const a1 = 1 - beta1, a2 = 1 - beta2;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! * gscale;
    const mi = m[i]!;
    const c = mi * beta1 + gi * a1;
    let s = +(c > 0) - +(c < 0);
    if (c !== c) s = c;
    p[i] = p[i]! * keep - lr * s;
    m[i] = mi * beta2 + gi * a2;
  }
}

/**
 * Adafactor (Shazeer & Stern 2018, as Keras writes it). `rows`/`cols` are the last two axes and `batch` the
 * product of the others; `r` (batch*rows) and `c` (batch*cols) hold the factored second moment, or are null for
 * a variable of rank < 2, which keeps an unfactored `v` instead. Keras keeps the full-size `v` in both cases.
 *   alpha = max(eps2, rms(w)) * rhoT
 *   factored:   r = b*r + (1-b)*mean_cols(g^2 + eps1); c = b*c + (1-b)*mean_rows(g^2 + eps1);
 *               v = r / mean(r) (outer) c
 *   unfactored: v = b*v + (1-b)*(g^2 + eps1)
 *   u = g / sqrt(v); w -= alpha * u / max(1, rms(u) / clipThreshold)
 */
export function adafactorUpdate(p: Float32Array, g: Float32Array, r: Float32Array | null, c: Float32Array | null, v: Float32Array, batch: number, rows: number, cols: number, rhoT: number, beta2T: number, epsilon1: number, epsilon2: number, clipThreshold: number, keep: number, gscale: number): void {
  const n = p.length;
  if (n === 0) return;
  let ww = 0;
  for (let i = 0; i < n; i++) { const w = p[i]!; ww += w * w; }
  const rmsW = keep * Math.sqrt(ww / n);
  const alpha = (epsilon2 > rmsW ? epsilon2 : rmsW) * rhoT;
  const a = 1 - beta2T;
  if (r !== null && c !== null) {
    const rowW = a / cols, colW = a / rows;
    for (let b = 0; b < batch; b++) {
      const rb = b * rows, cb = b * cols;
      for (let j = 0; j < cols; j++) c[cb + j] = beta2T * c[cb + j]!;
      for (let i = 0; i < rows; i++) {
        const off = (rb + i) * cols;
        let rowSum = 0;
        for (let j = 0; j < cols; j++) {
          const gi = g[off + j]! * gscale;
          const q = gi * gi + epsilon1;
          rowSum += q;
          c[cb + j] = c[cb + j]! + colW * q;
        }
        r[rb + i] = beta2T * r[rb + i]! + rowW * rowSum;
      }
      let rSum = 0;
      for (let i = 0; i < rows; i++) rSum += r[rb + i]!;
      const rMean = rSum / rows;
      for (let i = 0; i < rows; i++) {
        const off = (rb + i) * cols;
        const ri = r[rb + i]! / rMean;
        for (let j = 0; j < cols; j++) v[off + j] = ri * c[cb + j]!;
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const gi = g[i]! * gscale;
      v[i] = beta2T * v[i]! + a * (gi * gi + epsilon1);
    }
  }
  let uu = 0;
  for (let i = 0; i < n; i++) {
    const gi = g[i]! * gscale;
    const u = gi / Math.sqrt(v[i]!);
    uu += u * u;
  }
  const rmsU = Math.sqrt(uu / n) / clipThreshold;
  const step = alpha / (rmsU > 1 ? rmsU : 1);
  for (let i = 0; i < n; i++) {
    const gi = g[i]! * gscale;
    p[i] = p[i]! * keep - step * (gi / Math.sqrt(v[i]!));
  }
}
