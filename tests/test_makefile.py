"""The Makefile's commands as a user types them (README, CONTRACT section 1): the dependency graph and the
options they pass, read from `make -n` (which prints the commands a run would start) and the layer check
run for real. The targets that run for long (`make test`'s own, `make train-detection`) are run whole in
CI and, for training, by `tests/detection/test_training.py`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import requests

from infra.local.stack import free_port
from tests.commands import ROOT, make, user_environment

# What make deploy's layer must hold besides the committed package: what `make models` fetches and builds.
MODEL_FILES = (
    "liveagent/detection/models/minilm/model.onnx",
    "liveagent/detection/models/minilm/tokenizer.json",
    "liveagent/dictionaries/english/frequency_dictionary_en_82_765.txt",
)


def dry_run(*args: str) -> list[str]:
    done = make("-n", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def test_train_detection_passes_the_encoder_it_is_given_and_builds_the_same_models_first() -> None:
    local, hosted = dry_run("train-detection"), dry_run("train-detection", "ENCODER=bedrock")
    assert [line for line in local if "infra.detection.train " in line] == [
        "OPENBLAS_NUM_THREADS=1 .venv/bin/python -m infra.detection.train --encoder local "
    ]
    assert any("infra.detection.train --encoder bedrock" in line for line in hosted)
    # The option names an encoder, not a file to build: both runs build (or find) the same model files.
    assert [line for line in local if "infra.detection.train " not in line] == [
        line for line in hosted if "infra.detection.train " not in line
    ]


def test_train_detection_check_compares_both_models_and_writes_nothing() -> None:
    lines = dry_run("train-detection", "CHECK=1")
    assert any(line.endswith("infra.detection.train --encoder local --check") for line in lines)
    assert any(line.endswith("infra.detection.train_language --check") for line in lines)


def test_a_deploy_from_a_fresh_clone_builds_the_models_into_the_layer_and_checks_them() -> None:
    # -B: every target as if nothing were built yet, as in a fresh clone.
    lines = dry_run("-B", "deploy", "SENDER=alerts@example.com", "STACK=support")

    def first(text: str) -> int:
        return next(i for i, line in enumerate(lines) if text in line)

    assert first("infra.detection.build_encoder") < first("sam build") < first("sam deploy")
    assert first("infra.detection.fetch_dictionary") < first("sam build")
    assert first("sam build") < first("the built layer lacks") < first("sam deploy")


def test_the_layer_check_refuses_a_built_layer_without_the_models(tmp_path: Path) -> None:
    (tmp_path / "liveagent").mkdir()
    (tmp_path / "liveagent/__init__.py").write_text('"""the package"""\n')
    done = make("-s", "check-layer", f"BUILT_LAYER={tmp_path}")
    assert done.returncode != 0
    assert f"error: the built layer lacks {MODEL_FILES[0]} (make models)" in done.stderr
    for name in MODEL_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"model bytes")
    done = make("-s", "check-layer", f"BUILT_LAYER={tmp_path}")
    assert done.returncode == 0, done.stderr
    # An empty file (an interrupted fetch) is no model either.
    (tmp_path / MODEL_FILES[2]).write_bytes(b"")
    assert make("-s", "check-layer", f"BUILT_LAYER={tmp_path}").returncode != 0


def test_make_eval_detection_prints_the_contract_metrics_last(tmp_path: Path) -> None:
    # CONTRACT section 1's command, as the acceptance checks type it (no -s: make's own lines come first).
    kb, cases = tmp_path / "kb.json", tmp_path / "cases.jsonl"
    kb.write_text(
        json.dumps([{"id": "kb-hours", "question": "When are you open?", "alternates": [], "answer": "9-5."}])
    )
    cases.write_text(
        json.dumps({"id": "1", "channel": "whatsapp", "history": [], "text": "what are your opening hours?",
                    "expect": {"escalate": False, "kb_id": "kb-hours"}}) + "\n"
    )  # fmt: skip
    done = make("eval-detection", f"KB={kb}", f"CASES={cases}")
    assert done.returncode == 0, done.stdout + done.stderr
    metrics = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(metrics) >= {"cases", "decision_accuracy", "false_escalation_rate", "missed_escalation_rate",
                            "reason_accuracy", "kb_accuracy", "median_ms"}  # fmt: skip
    assert metrics["cases"] == 1
    usage = make("eval-detection", f"KB={kb}")
    assert usage.returncode != 0 and "usage: make eval-detection KB=path CASES=path" in usage.stderr


def test_make_replay_runs_the_dead_letter_replay_on_the_stack_it_is_given() -> None:
    # The README's diagram sends failed work to `make replay`: a target, not a "No rule to make target".
    assert dry_run("replay", "STACK=support", "DRY_RUN=1")[-1].endswith(
        '-m infra.replay_failed "support" --dry-run'
    )
    assert dry_run("replay", "STACK=support")[-1].rstrip().endswith('-m infra.replay_failed "support"')


def test_the_evaluations_read_with_the_encoder_they_are_given() -> None:
    # `make train-detection ENCODER=bedrock` then `make eval-sets ENCODER=bedrock`: what measures Bedrock.
    assert dry_run("eval-sets", "ENCODER=bedrock")[-1].endswith(
        "-m infra.detection.eval_sets --encoder bedrock"
    )
    assert dry_run("eval-detection", "KB=kb.json", "CASES=cases.jsonl")[-1].endswith("--encoder local")


def fake_aws_cli(folder: Path) -> Path:
    """A folder with an `aws` that records its arguments in $AWS_CALLS and answers as the real one does when
    the config file names no region (`configure get region`: nothing, exit 1)."""
    (folder / "bin").mkdir()
    script = folder / "bin/aws"
    script.write_text(
        '#!/usr/bin/env bash\necho "$*" >> "$AWS_CALLS"\n[ "$1 $2" != "configure get" ] || exit 1\necho output\n'
    )
    script.chmod(0o755)
    return folder / "bin"


def test_deploy_takes_the_region_the_sdks_resolve_for_the_stack_and_the_dashboard(tmp_path: Path) -> None:
    # AWS_DEFAULT_REGION alone, no config file (HOME is empty): as CI machines have it. `aws configure get
    # region` prints nothing there, and the dashboard's upload failed after the stack had deployed.
    done = make(
        "-n", "deploy", "SENDER=alerts@example.com", "STACK=support",
        HOME=str(tmp_path), AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_DEFAULT_REGION="eu-west-3", AWS_REGION="",
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert any(
        line.startswith(".venv-sam/bin/sam deploy --stack-name support --region eu-west-3") for line in lines
    )
    assert "infra/deploy_dashboard.sh support eu-west-3" in lines


def test_deploy_without_a_region_stops_before_building(tmp_path: Path) -> None:
    done = make(
        "deploy", "SENDER=alerts@example.com", "STACK=support",
        HOME=str(tmp_path), PATH=f"{fake_aws_cli(tmp_path)}:{os.environ['PATH']}",
        AWS_CALLS=str(tmp_path / "calls"), AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_DEFAULT_REGION="",
        AWS_REGION="",
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "error: no AWS region: set AWS_REGION (or run aws configure)" in done.stderr
    assert "sam build" not in done.stdout


def test_the_dashboard_upload_reads_the_region_from_the_environment(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    env = user_environment()
    env |= {"PATH": f"{fake_aws_cli(tmp_path)}:{env['PATH']}", "HOME": str(tmp_path), "AWS_CALLS": str(calls),
            "AWS_DEFAULT_REGION": "eu-west-3"}  # fmt: skip
    done = subprocess.run(
        ["infra/deploy_dashboard.sh", "support"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # Every call but the invalidation (CloudFront is global) names the region: the stack's outputs, the uploads.
    regional = [
        line for line in calls.read_text().splitlines() if not line.startswith(("configure ", "cloudfront "))
    ]
    assert any(line.startswith("s3 cp") and "config.json" in line for line in regional), regional
    assert all(line.endswith("eu-west-3") or "--region eu-west-3 " in line for line in regional), regional


def test_make_run_serves_the_local_stack_until_sigterm() -> None:
    """CONTRACT section 1: `make run` is ready when /health answers 200, prints the dashboard URL and the demo
    logins, and SIGTERM stops everything it started. With the Meta secrets overridden (section 2) the
    banner says the ones the webhook checks."""
    api, aws = free_port(), free_port()
    env = user_environment()
    env |= {"META_VERIFY_TOKEN": "token-of-this-test", "META_APP_SECRET": "secret-of-this-test"}
    run = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"API_PORT={api}", f"AWS_PORT={aws}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        banner: list[str] = []
        for line in run.stdout:  # until the stack says it is up, or make ends
            banner.append(line.rstrip())
            if line.startswith("Ctrl-C to stop."):
                break
        assert banner and banner[-1] == "Ctrl-C to stop.", banner
        health = requests.get(f"http://127.0.0.1:{api}/health", timeout=10)
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        text = "\n".join(banner)
        assert f"http://127.0.0.1:{api}/" in text
        assert all(login in text for login in ("admin@demo.test", "alice@demo.test", "admin@acme.test"))
        assert "app secret 'secret-of-this-test', verify token 'token-of-this-test'" in text
        params = {"hub.mode": "subscribe", "hub.verify_token": "token-of-this-test", "hub.challenge": "c-1"}
        handshake = requests.get(f"http://127.0.0.1:{api}/webhook", params=params, timeout=10)
        assert (handshake.status_code, handshake.text) == (200, "c-1")
    finally:
        run.terminate()  # SIGTERM to make, as a supervisor sends it
        run.communicate(timeout=60)
    for port in (api, aws):  # everything it started has stopped: nothing answers on its ports
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/", timeout=5)
