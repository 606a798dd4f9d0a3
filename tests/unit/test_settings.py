"""Every setting is documented in `.env.example`, and the example's values are valid settings."""

from pathlib import Path

from dotenv import dotenv_values

from brandpulse.settings import Settings

EXAMPLE = Path(__file__).parents[2] / ".env.example"


def documented() -> dict[str, str | None]:
    """The BrandPulse settings in the example (its compose-only variables are not settings)."""
    return {key: value for key, value in dotenv_values(EXAMPLE).items() if key.startswith("BRANDPULSE_")}


def test_every_setting_is_in_env_example() -> None:
    expected = {f"BRANDPULSE_{name.upper()}" for name in Settings.model_fields}
    assert sorted(expected - documented().keys()) == []


def test_env_example_names_only_real_settings() -> None:
    expected = {f"BRANDPULSE_{name.upper()}" for name in Settings.model_fields}
    assert sorted(documented().keys() - expected) == []


def test_env_example_values_are_the_defaults() -> None:
    assert Settings(_env_file=EXAMPLE) == Settings(_env_file=None)


def test_every_setting_with_a_unit_says_it() -> None:
    numeric = [name for name, field in Settings.model_fields.items() if field.annotation is float]
    assert all(name.endswith(("_s", "_ms", "_rate", "_sigmas")) for name in numeric), numeric
