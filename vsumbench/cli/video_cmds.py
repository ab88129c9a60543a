"""``vsumbench data extract`` and ``vsumbench summarize``: your own videos.

Only click is imported here; torch, PyAV and numpy load inside the commands.
"""

from __future__ import annotations

import click

from vsumbench.cli import device_option

_weights_option = click.option(
    "--backbone-weights",
    "--backbone-init",
    "weights",
    default="imagenet",
    show_default=True,
    help="GoogLeNet weights for the features: 'imagenet' (torchvision's cache, else a "
    "download), a path to a torchvision GoogLeNet state dict (e.g. googlenet-1378be20.pth), "
    "or 'random' (testing only: the features mean nothing).",
)
_sample_option = click.option(
    "--sample-every",
    type=click.IntRange(min=1),
    default=15,
    show_default=True,
    help="Take every N-th frame (the datasets' 2 fps convention at ~30 fps).",
)
_size_option = click.option(
    "--image-size",
    type=click.IntRange(min=32),
    default=224,
    show_default=True,
    help="CNN input crop side (224 as the eccv16 features; smaller only for quick tests).",
)

_encoder_option = click.option(
    "--encoder",
    type=click.Choice(["googlenet", "clip"]),
    default="googlenet",
    show_default=True,
    help="googlenet: pool5 features (`features`, the eccv16 default); clip: open_clip image "
    "features (`features_clip_image`) and, with --captions or --query, text features, for "
    "CLIP-It (needs the clip extra).",
)
_clip_model_option = click.option(
    "--clip-model",
    default="ViT-B-32",
    show_default=True,
    help="open_clip model name for --encoder clip.",
)
_encoder_weights_option = click.option(
    "--encoder-weights",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="State dict of the CLIP model (default: open_clip's openai weights from your cache).",
)
_encoder_init_option = click.option(
    "--encoder-init",
    type=click.Choice(["pretrained", "random"]),
    default="pretrained",
    show_default=True,
    help="random: a randomly initialised CLIP encoder (testing only: the features mean nothing).",
)
_captions_option = click.option(
    "--captions",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help='JSON of timed captions per video, {"VIDEO_FILE": [{"start": s, "end": s, "text": '
    '"..."}]} (any dense captioner\'s output); their CLIP text features go beside the image '
    "features.",
)
_query_option = click.option(
    "--query", default=None, help="One sentence for every video (query-focused summaries)."
)


def _text_source(encoder, clip_model, encoder_weights, encoder_init, captions, query, device,
                 batch_size, image_size):  # fmt: skip
    """The CLIP side of extraction, or None for GoogLeNet (text options then refused)."""
    if encoder != "clip":
        given = [n for n, v in (("--captions", captions), ("--query", query),
                                ("--encoder-weights", encoder_weights)) if v]  # fmt: skip
        if given:
            raise click.UsageError(f"{', '.join(given)}: only with --encoder clip")
        return None
    if captions and query:
        raise click.UsageError("give --captions or --query, not both")
    from vsumbench.videoio.captions import read_captions
    from vsumbench.videoio.clip_features import ClipFeatures
    from vsumbench.videoio.extract import TextSource

    weights = "random" if encoder_init == "random" else (encoder_weights or "auto")
    clip = ClipFeatures(clip_model, weights, device=device, batch_size=batch_size,
                        image_size=image_size)  # fmt: skip
    parsed = read_captions(captions) if captions else None
    return TextSource(clip, parsed, captions, query)


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="Output eccv16 .h5 file."
)
@device_option
@_sample_option
@_weights_option
@_size_option
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="Frames per CNN batch.",
)
@_encoder_option
@_clip_model_option
@_encoder_weights_option
@_encoder_init_option
@_captions_option
@_query_option
@click.option("--quiet", is_flag=True, help="No progress bars.")
def extract(inputs, out, device, sample_every, weights, image_size, batch_size, encoder,
            clip_model, encoder_weights, encoder_init, captions, query, quiet):  # fmt: skip
    """Build an eccv16 file from your own videos (files and/or directories).

    Per video: exact frame count (every frame decoded), GoogLeNet pool5 features (1024-d)
    of every --sample-every-th frame, KTS shots refined to the frame of the cut, one group
    video_1, video_2, ... with features, picks, n_frames, n_steps, change_points,
    n_frame_per_seg, video_name and fps. The file works with `vsumbench predict`; add
    gtscore and user_summary to train and evaluate on it. Bad files are skipped and reported
    when several videos are given. Extracted features do not equal the released eccv16 ones:
    retrain models on extracted features. --encoder clip writes CLIP features instead (and
    text features of --captions or --query), the fields CLIP-It reads.
    """
    from vsumbench.videoio.extract import extract_files

    text = _text_source(encoder, clip_model, encoder_weights, encoder_init, captions, query,
                        device, batch_size, image_size)  # fmt: skip
    report = extract_files(
        inputs,
        out,
        weights=weights,
        device=device,
        batch_size=batch_size,
        image_size=image_size,
        sample_every=sample_every,
        progress=not quiet,
        text=text,
    )
    for key, src in report.written.items():
        click.echo(f"{key}: {src}")
    for src, message in report.failed.items():
        click.echo(f"skipped {src}: {message}", err=True)
    click.echo(
        f"wrote {out}: {len(report.written)} video(s)"
        + (f", {len(report.failed)} skipped" if report.failed else "")
    )


@click.command()
@click.argument("video", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", required=True, help="Registered summarizer name (see `vsumbench models`).")
@click.option(
    "--checkpoint",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Trained checkpoint of that model.",
)
@click.option(
    "--budget",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.15,
    show_default=True,
    help="Summary length as a share of the video.",
)
@click.option(
    "--out",
    default="summary.mp4",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Summary video (.mp4, .mov or .mkv; H.264, original fps, no audio).",
)
@click.option(
    "--json",
    "json_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also write the selected segments (frames, seconds, shot scores) as JSON.",
)
@device_option
@_sample_option
@_weights_option
@_size_option
@_clip_model_option
@_encoder_weights_option
@_encoder_init_option
@_captions_option
@_query_option
@click.option(
    "--report",
    "report_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Also write a page of the summary into this folder: a timeline of the shots, "
    "thumbnails of the selected ones and the summary video (opens from disk).",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
def summarize(
    video,
    model,
    checkpoint,
    budget,
    out,
    json_path,
    device,
    sample_every,
    weights,
    image_size,
    clip_model,
    encoder_weights,
    encoder_init,
    captions,
    query,
    report_dir,
    quiet,
):
    """Summarise VIDEO: extract features and KTS shots, score them with MODEL's
    CHECKPOINT, pick shots by 0/1 knapsack within --budget, and write the selected shots in
    order as a video (and a JSON of the segments). A CLIP-It model reads CLIP features and the
    text of --query (a query-focused summary) or --captions."""
    from vsumbench.models import get_spec
    from vsumbench.models.inputs import reads_clip
    from vsumbench.videoio.summarize import summarize_video

    clip = reads_clip(get_spec(model).inputs)
    text = None
    if clip or captions or query:
        text = _text_source("clip" if clip else "googlenet", clip_model, encoder_weights,
                            encoder_init, captions, query, device, 64, image_size)  # fmt: skip

    result = summarize_video(
        video,
        model,
        checkpoint,
        budget=budget,
        out=out,
        json_path=json_path,
        weights=weights,
        device=device,
        image_size=image_size,
        sample_every=sample_every,
        progress=not quiet,
        text=text,
    )
    r = result.record
    click.echo(
        f"{out}: {len(r['segments'])} of {len(r['shots'])} shots, {r['summary_s']:.1f} s of "
        f"{r['duration_s']:.1f} s ({r['summary_frames']} of {r['n_frames']} frames)"
    )
    if json_path:
        click.echo(f"segments: {json_path}")
    if report_dir:
        from vsumbench.videoio.video_report import write_video_report

        click.echo(f"report: {write_video_report(r, video, report_dir, out)}")
