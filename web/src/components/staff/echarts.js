// ECharts, only the parts the dashboard draws (bar and line charts on a
// canvas), so the chunk stays small. Imported by ChartBox, which only the
// dashboard uses: other pages never load ECharts.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);
export default echarts;
