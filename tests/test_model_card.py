"""The model card's speed line names the CPU the figure was measured on."""

from hf_audiosr.model_card import speed_summary

ROWS = [
    {"model": "m", "seconds": 600.0, "fp32_rtf": 0.05},
    {"model": "m", "seconds": 10.0, "fp32_rtf": 0.04},
    {"model": "other", "seconds": 10.0, "fp32_rtf": 0.001},
]


def test_speed_line_names_the_cpu():
    cpu = {"model": "AMD EPYC", "capability": "AVX2", "cores": 2, "torch_threads": 2}
    line = speed_summary({"cpu": cpu, "torch_threads": 2, "rows": ROWS}, "m")
    assert line.startswith("real-time factor 0.0400 (25x real time) on a 10 s input, fp32, on ")
    assert "on AMD EPYC (torch AVX2, 2 cores, 2 torch threads)" in line


def test_speed_line_says_when_the_cpu_was_not_recorded():
    line = speed_summary({"torch_threads": 2, "rows": ROWS}, "m")
    assert "on a CPU that was not recorded (2 torch threads)" in line
    assert speed_summary({"rows": ROWS}, "absent") == "not measured"
