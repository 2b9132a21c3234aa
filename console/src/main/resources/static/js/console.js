// The console's only script: charts (Apache ECharts, from the webjar) and confirmation of actions.
// A chart's options are rendered by the server as JSON into data-chart; its numbers are in a table beside it.
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-chart]').forEach((el) => {
    const chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(JSON.parse(el.dataset.chart));
    window.addEventListener('resize', () => chart.resize());
  });
  // every action asks first; the question is the form's data-confirm
  document.querySelectorAll('form[data-confirm]').forEach((form) => {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
