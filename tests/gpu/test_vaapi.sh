#!/usr/bin/env bash
# test_vaapi.sh - gpu.vaapi: real vaapi decoding end to end (see test_hwdec_device.sh);
# skipped (77) where --list-hwdec says vaapi does not work.
exec bash "$(dirname "${BASH_SOURCE[0]}")/test_hwdec_device.sh" vaapi
