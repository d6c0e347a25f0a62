#!/usr/bin/env bash
# test_nvdec.sh - gpu.nvdec: real nvdec decoding end to end (see test_hwdec_device.sh);
# skipped (77) where --list-hwdec says nvdec does not work.
exec bash "$(dirname "${BASH_SOURCE[0]}")/test_hwdec_device.sh" nvdec
