#!/usr/bin/env bash
# Rebuild static/vendor/echarts/echarts.min.js: ECharts with only what the dashboard and the pivot
# page draw (line, bar and pie charts; grid, tooltip and legend; the canvas renderer), from the npm
# registry's ECharts package through its modular ESM entry points, bundled by esbuild.
# Needs node and npm, and the registry, at build time only; nothing is fetched when the pages run.
set -euo pipefail
ECHARTS_VERSION="${ECHARTS_VERSION:-6.1.0}"
ESBUILD_VERSION="${ESBUILD_VERSION:-0.28.2}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "echarts@${ECHARTS_VERSION}" "esbuild@${ESBUILD_VERSION}"
cat > entry.js <<'JS'
import * as echarts from "echarts/core";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([LineChart, BarChart, PieChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);
window.echarts = echarts;
JS
npx esbuild entry.js --bundle --minify --format=iife --target=es2017 --legal-comments=none \
  --define:process.env.NODE_ENV='"production"' \
  --banner:js="/*! ECharts ${ECHARTS_VERSION} (Apache-2.0, see LICENSE): line, bar, pie; grid, tooltip, legend; canvas. Built by static/vendor/echarts/build.sh. */" \
  --outfile="$here/echarts.min.js"
ls -l "$here/echarts.min.js"
