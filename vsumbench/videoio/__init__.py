"""Own videos: decoding (PyAV), KTS shots, GoogLeNet features, eccv16 extraction and summary
videos. Imports torch; the CLI imports it only inside ``data extract`` and ``summarize``."""

from vsumbench.videoio.decode import FrameScan, VideoInfo, read_info
from vsumbench.videoio.extract import ExtractedVideo, ExtractReport, extract_files, extract_video
from vsumbench.videoio.kts import kts

__all__ = [
    "ExtractReport",
    "ExtractedVideo",
    "FrameScan",
    "VideoInfo",
    "extract_files",
    "extract_video",
    "kts",
    "read_info",
]
