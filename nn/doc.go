// Package nn holds scorekit's score networks and their training: a
// multilayer perceptron s_θ: ℝᵈ → ℝᵈ (or an energy E_θ: ℝᵈ → ℝ with
// s = −∇ₓE) built on pre-packed f32.Dense layers, its forward, backward
// and forward-mode (JVP) passes, the score-matching losses (exact, sliced,
// denoising, noise-conditional and continuous-time), the Adam optimiser
// with its companions (gradient clipping, warm-up, EMA), a Trainer, and
// weight files in the safetensors format that PyTorch users can write with
// scripts/export_torch.py.
//
// A Model satisfies the sampler package's interfaces structurally (nn
// never imports sampler): Score, NoiseScore, TimeScore and LogDensity,
// safe for concurrent use on disjoint slices. Which of them a model
// answers depends on its Config: an unconditional model answers Score, a
// σ-conditional one NoiseScore, a time-conditional one TimeScore, and only
// an energy model answers LogDensity; the others panic, naming the method
// to call instead.
//
// Config.ScaleBySigma divides a σ-conditional model's output by σ (NCSN's
// choice) and a time-conditional one's by the std σ(t) of the forward
// process it is trained on (score_sde's scale_by_sigma, one idea for
// both): in the denoising losses the network's target is then −z, of
// order 1 at every noise level, where an unscaled one must output −z/σ
// and its gradients grow with σ. A time-conditional ScaleBySigma model
// needs that process, a [Perturbation] such as the sampler package's
// SDEs, through [Model.SetPerturbation] before it scores or trains.
//
// Training calls (Loss.Grad, Trainer.Run) are not safe for concurrent use
// on one Model; inference calls are, and may run beside training only if
// the caller does not step the optimiser meanwhile.
package nn
