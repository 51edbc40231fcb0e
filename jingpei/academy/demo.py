"""Demo content made on this machine: short test-pattern videos (ffmpeg lavfi ``testsrc`` + ``sine``), a
tiny PDF, and a few courses of the 召陵区 plan's topics. Nothing is downloaded."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.files import File
from django.utils import timezone

from jingpei.academy import quiz, services
from jingpei.academy.models import Course, LessonKind

COURSES = [
    {"title": "乡村振兴战略专题解读", "kind": "mandatory", "recommended": True, "hours": "1.0", "lecturer": "李振华 教授",
     "topics": ["乡村振兴"], "description": "从产业、人才、文化、生态、组织五个方面解读乡村振兴战略。",
     "lessons": [("video", "第一讲 总体要求", 20), ("video", "第二讲 产业振兴", 30),
                 ("text", "课后阅读：二十字总要求", None)]},
    {"title": "扶贫产业发展实务", "kind": "mandatory", "recommended": True, "hours": "1.5", "lecturer": "王建国 研究员",
     "topics": ["扶贫产业"], "description": "特色种养、农产品加工与电商销售的组织方式和风险防范。",
     "lessons": [("video", "特色产业的选择", 45), ("document", "产业项目申报要点（PDF）", None)]},
    {"title": "壮大村集体经济的路径", "kind": "elective", "recommended": True, "hours": "1.0", "lecturer": "赵红 副教授",
     "topics": ["壮大村集体经济"], "description": "资源发包、物业经营、入股合作等村集体经济发展模式。",
     "lessons": [("video", "案例：袁家村的做法", 60)]},
    {"title": "基层干部能力提升", "kind": "elective", "recommended": False, "hours": "0.5", "lecturer": "刘敏 讲师",
     "topics": ["干部能力提升"], "description": "群众工作方法与应急处置能力。",
     "lessons": [("video", "群众工作方法", 15)]},
]

# The after-course tests of two demo courses: (kind, question, options, answer).
QUESTIONS = {
    "乡村振兴战略专题解读": [
        ("single", "乡村振兴战略的总要求共有几句？", ["三句", "五句", "七句"], "B"),
        ("multiple", "下列属于“五个振兴”的有：", ["产业振兴", "人才振兴", "文化振兴", "房价振兴"], "ABC"),
        ("judge", "产业兴旺是乡村振兴的重点。", [], "对"),
    ],
    "基层干部能力提升": [
        ("single", "处理群众来访，首先应当：", ["耐心倾听，问清诉求", "直接转交上级", "告知不归本部门管"], "A"),
        ("judge", "突发事件发生后，应先核实情况再决定是否上报。", [], "错"),
    ],
}

TEXT = ("产业兴旺、生态宜居、乡风文明、治理有效、生活富裕，是乡村振兴战略的总要求。"
        "产业兴旺是重点，生态宜居是关键，乡风文明是保障，治理有效是基础，生活富裕是根本。") * 3


def make_video(path: Path, seconds: int, *, fmt: str = "mp4") -> Path:
    """A small test-pattern video with a tone, ``seconds`` long (about 25 KB a second)."""
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        raise RuntimeError("ffmpeg is needed to make the demo videos: apt-get install -y ffmpeg")
    inputs = ["-f", "lavfi", "-i", f"testsrc=size=320x180:rate=15:duration={seconds}",
              "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    if fmt == "webm":
        codec = ["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "150k", "-c:a", "libopus", "-b:a", "32k"]
    else:
        codec = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-b:v", "150k",
                 "-c:a", "aac", "-b:a", "32k", "-movflags", "+faststart"]
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *inputs, *codec, "-shortest", str(path)],  # noqa: S603
                   check=True, timeout=300)
    return path


def make_pdf(path: Path, title: str = "Jingpei demo document") -> Path:
    """A one-page PDF written by hand (Latin text: no font embedding needed)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def add_file_lesson(course: Course, title: str, kind: str, path: Path, **kw):
    with path.open("rb") as fh:
        return services.add_lesson(actor=None, course=course, title=title, kind=kind, upload=File(fh, name=path.name),
                                   **kw)


def build(org, *, year: int | None = None, fmt: str = "mp4") -> list[Course]:
    """The demo courses for ``org``'s people; skips courses already there (safe to run twice)."""
    year = year or timezone.localdate().year
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in COURSES:
            if Course.objects.filter(org=org, year=year, title=spec["title"]).exists():
                continue
            course = services.create_course(
                actor=None, org=org, title=spec["title"], year=year, credit_hours=Decimal(spec["hours"]),
                kind=spec["kind"], description=spec["description"], lecturer=spec["lecturer"],
                topics=spec["topics"], recommended=spec["recommended"],
            )
            for i, (kind, title, seconds) in enumerate(spec["lessons"]):
                if kind == LessonKind.VIDEO:
                    add_file_lesson(course, title, kind, make_video(Path(tmp) / f"v{course.pk}-{i}.{fmt}", seconds,
                                                                    fmt=fmt))
                elif kind == LessonKind.DOCUMENT:
                    add_file_lesson(course, title, kind, make_pdf(Path(tmp) / f"d{course.pk}-{i}.pdf"),
                                    reading_minutes=2)
                else:
                    services.add_lesson(actor=None, course=course, title=title, kind=kind, body=TEXT, reading_minutes=1)
            for kind, text, choices, answer in QUESTIONS.get(spec["title"], []):
                quiz.add_question(actor=None, course=course, kind=kind, text=text, choices=choices, answer=answer)
            made.append(course)
    return made
