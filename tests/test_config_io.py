"""Every way a config can be wrong gets one clear message naming the file, the field and the value."""

import pytest

from sim.engine.config_io import ConfigError, load_config
from tests.conftest import DEFAULT_CONFIG, TIKTOK_CONFIG


def _write(tmp_path, text: str | bytes):
    path = tmp_path / "bad.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("platform.creator_share=1.5",
         r"platform\.creator_share: Input should be less than or equal to 1 \(got 1\.5\)"),
        ("population.viewers=lots", r"population\.viewers: Input should be a valid integer.*\(got \"lots\"\)"),
        ("population.viewers=0", r"population\.viewers: Input should be greater than or equal to 1 \(got 0\)"),
        ("regions.US.tax_rate=-0.1", r"regions\.US\.tax_rate: Input should be greater than or equal to 0"),
        ("regions.US.bundles.ios.0=[65, -0.99]", r"regions\.US\.bundles\.ios\.0\.1: Input should be greater than 0"),
        ("gifts=[]", r"gifts: List should have at least 1 item"),
        ("platform.cut=0.5", r"platform\.cut: unknown key; see `giftsim schema`"),
        ("regions.US.channel_mix.ios=0.7", r"regions\.US\.channel_mix: shares sum to 1\.15"),
    ],
)
def test_bad_values_name_the_field_and_value(override, expected):
    with pytest.raises(ConfigError, match=expected) as info:
        load_config(DEFAULT_CONFIG, [override])
    assert str(info.value).startswith(str(DEFAULT_CONFIG))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="nope.yaml: no such file"):
        load_config(tmp_path / "nope.yaml")


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(ConfigError, match="is a directory; expected a YAML file"):
        load_config(tmp_path)


def test_yaml_syntax_error_gives_line_and_column(tmp_path):
    with pytest.raises(ConfigError, match=r"line 2, column 10: YAML syntax error: mapping values"):
        load_config(_write(tmp_path, "run:\n  days: 7: 8\n"))


def test_non_utf8_bytes(tmp_path):
    with pytest.raises(ConfigError, match=r"is not UTF-8 text \(bad byte at offset 6\)"):
        load_config(_write(tmp_path, b"name: \xff\xfe\n"))


def test_a_config_must_be_a_mapping(tmp_path):
    with pytest.raises(ConfigError, match="must hold a mapping of sections, got list"):
        load_config(_write(tmp_path, "- 1\n- 2\n"))


def test_unsafe_yaml_tags_are_not_executed(tmp_path):
    with pytest.raises(ConfigError, match="YAML syntax error"):
        load_config(_write(tmp_path, "name: !!python/object/apply:os.system ['echo hi']\n"))


def test_unknown_top_level_key(tmp_path):
    text = f"extends: {TIKTOK_CONFIG}\nplatfrom: {{}}\n"
    with pytest.raises(ConfigError, match="platfrom: unknown key"):
        load_config(_write(tmp_path, text))


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("run.days", "expected dotted.path=value"),
        ("gifts.99.coins=1", "'99' is not an index from 0 to 16"),
        ("run.days.x=1", "run.days is a value, not a section"),
        ("run.days=[1", "--set run.days: line 1, column 3: YAML syntax error"),
    ],
)
def test_bad_overrides(override, expected):
    with pytest.raises(ConfigError, match=expected):
        load_config(DEFAULT_CONFIG, [override])


def test_name_defaults_to_the_file_stem(tmp_path):
    path = tmp_path / "my-preset.yaml"
    path.write_text(TIKTOK_CONFIG.read_text())
    assert load_config(path).name == "my-preset"


def test_extends_lays_a_config_over_its_base(tmp_path):
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {TIKTOK_CONFIG}\nplatform: {{creator_share: 0.5}}\ngifts: [{{name: Rose, coins: 1}}]\n")
    variant, base = load_config(path), load_config(TIKTOK_CONFIG)
    assert variant.name == "variant"
    assert variant.platform.creator_share == 0.5
    assert variant.platform.daily_cashout_cap_usd == base.platform.daily_cashout_cap_usd  # merged, not replaced
    assert [g.name for g in variant.gifts] == ["Rose"]  # lists are replaced
    assert variant.regions == base.regions


def test_extends_cycles_and_missing_bases_are_errors(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ConfigError, match="extends itself"):
        load_config(tmp_path / "a.yaml")
    (tmp_path / "c.yaml").write_text("extends: nowhere.yaml\n")
    with pytest.raises(ConfigError, match="nowhere.yaml: no such file"):
        load_config(tmp_path / "c.yaml")


# YAML 1.2 numbers (issue 31, item 3): the same traps in a file, in --set and in a sweep's grid.
# Each value as population.viewers: the number it must be read as, or the words of its refusal.
YAML_TRAPS = [
    ("010", 10),  # YAML 1.1: octal 8
    ("0010", 10),  # YAML 1.1: octal 8
    ("+12", 12),
    ("0o17", 15),  # YAML 1.1: the text "0o17"
    ("0x1F", 31),
    ("1e3", 1000),  # YAML 1.1: the text "1e3"
    ("1:30", r"valid integer.*got \"1:30\""),  # YAML 1.1: sexagesimal 90
    ("1_0", r"got the text '1_0', which YAML 1.2 does not read as one"),  # YAML 1.1: 10
    ("0b11", r"valid integer.*got \"0b11\""),  # YAML 1.1: binary 3
    ("yes", r"valid integer.*got \"yes\""),  # YAML 1.1: true, so 1
    ("on", r"valid integer.*got \"on\""),
    ("-0x1", r"valid integer.*got \"-0x1\""),  # no sign before 0x in YAML 1.2
]


def _viewers_from_file(tmp_path, text):
    config = load_config(_write(tmp_path, f"extends: {DEFAULT_CONFIG}\npopulation:\n  viewers: {text}\n"))
    return config.population.viewers


def _viewers_from_set(tmp_path, text):
    return load_config(DEFAULT_CONFIG, [f"population.viewers={text}"]).population.viewers


def _viewers_from_grid(tmp_path, text):
    from sim.sweeps.spec import load_sweep_spec, plan_sweep

    path = tmp_path / "sweep.yaml"
    path.write_text(f"name: traps\nbase: {DEFAULT_CONFIG}\nreplicates: 1\n"
                    f"grid:\n  parameters:\n    population.viewers: [{text}]\n")
    (run,) = plan_sweep(load_sweep_spec(path), str(path)).runs
    return run.params["population.viewers"]


@pytest.mark.parametrize("where", [_viewers_from_file, _viewers_from_set, _viewers_from_grid],
                         ids=["file", "--set", "sweep grid"])
@pytest.mark.parametrize(("text", "expected"), YAML_TRAPS, ids=[text for text, _ in YAML_TRAPS])
def test_numbers_are_read_as_yaml_1_2_reads_them_everywhere(tmp_path, where, text, expected):
    if isinstance(expected, int):
        assert where(tmp_path, text) == expected  # a grid keeps 1e3 as the float it reads; the config makes it 1000
    else:
        with pytest.raises(ConfigError, match=expected):
            where(tmp_path, text)


def test_texts_that_either_yaml_reads_as_numbers_are_written_quoted_and_read_back_as_text():
    from sim.engine.config_io import dump_yaml, load_yaml

    texts = ["0o17", "1e6", "010", "0x1F", "1:30", "1_0", "yes", "on", "true", ".5", "2024-01-01", "=", "~"]
    assert load_yaml(dump_yaml(texts)) == texts
    assert load_yaml("[.inf, -.inf, .5, 1., 1e-3, 2024-01-01]") == [float("inf"), float("-inf"), 0.5, 1.0, 0.001,
                                                                      "2024-01-01"]
    assert load_yaml("{a: ~, b: null, c: True, d: FALSE}") == {"a": None, "b": None, "c": True, "d": False}
