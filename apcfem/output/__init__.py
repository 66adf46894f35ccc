"""Run outputs: run directory, time series CSV, ParaView fields, plots."""

from apcfem.output.fields import FieldWriter
from apcfem.output.plots import plot_sweep
from apcfem.output.run_directory import prepare_run_directory, write_run_info
from apcfem.output.series import SeriesWriter

__all__ = ["FieldWriter", "SeriesWriter", "plot_sweep", "prepare_run_directory",
           "write_run_info"]
