/// The dashboard's one page script (allowed by its hash): filters and sorting of the runs
/// table, the compare button, and polling `/api/progress/RUN` for running runs. It only
/// reads from the server that sent the page; nothing it does writes.
enum DashboardScript {
    static let source: String = """
    (function(){
    function $(s,r){return (r||document).querySelector(s);}
    function $$(s,r){return Array.prototype.slice.call((r||document).querySelectorAll(s));}
    var table=$('table.runs');
    function applyFilters(){
    if(!table)return;
    var e=$('#filter-experiment').value,st=$('#filter-status').value,p=$('#filter-params').value.trim().toLowerCase();
    var shown=0;
    $$('tbody tr',table).forEach(function(tr){
    var ok=(!e||tr.getAttribute('data-experiment')===e)&&(!st||tr.getAttribute('data-status')===st)
    &&(!p||p.split(/\\s+/).every(function(t){return tr.getAttribute('data-params').toLowerCase().indexOf(t)>=0;}));
    tr.hidden=!ok;if(ok)shown++;});
    $('#shown-count').textContent=shown+' of '+$$('tbody tr',table).length+' runs';}
    function sortBy(th){
    var index=$$('th',th.parentNode).indexOf(th),asc=th.getAttribute('data-order')!=='asc';
    $$('th',th.parentNode).forEach(function(h){h.removeAttribute('data-order');});
    th.setAttribute('data-order',asc?'asc':'desc');
    var rows=$$('tbody tr',table);
    rows.sort(function(a,b){
    var x=a.children[index].getAttribute('data-value'),y=b.children[index].getAttribute('data-value');
    var nx=x===null||x===''?NaN:parseFloat(x),ny=y===null||y===''?NaN:parseFloat(y);
    if(isNaN(nx)&&isNaN(ny))return 0;if(isNaN(nx))return 1;if(isNaN(ny))return -1;
    return asc?nx-ny:ny-nx;});
    var body=$('tbody',table);rows.forEach(function(r){body.appendChild(r);});}
    if(table){
    ['#filter-experiment','#filter-status','#filter-params'].forEach(function(id){$(id).addEventListener('input',applyFilters);$(id).addEventListener('change',applyFilters);});
    $$('th.sortable',table).forEach(function(th){th.addEventListener('click',function(){sortBy(th);});});
    $('#compare').addEventListener('click',function(){
    var ids=$$('input.pick:checked',table).map(function(c){return c.value;});
    if(ids.length<2){$('#compare-note').textContent='select two or more runs';return;}
    window.location.href='/compare?runs='+encodeURIComponent(ids.join(','));});
    applyFilters();}
    function poll(el){
    var run=el.getAttribute('data-run');
    fetch('/api/progress/'+encodeURIComponent(run),{cache:'no-store'}).then(function(r){
    if(r.status===404){el.querySelector('.live-text').textContent='finished; reload for results';el.setAttribute('data-finished','1');return null;}
    return r.json();}).then(function(p){
    if(!p)return;
    var bar=el.querySelector('progress');bar.max=Math.max(p.stages,1);bar.value=p.done;
    var parts=[p.done+'/'+p.stages+' stages'];
    p.running.forEach(function(s){var m=s.metrics,t=s.stage;
    if(m.step!==undefined&&m['total-steps']!==undefined)t+=' step '+m.step+'/'+m['total-steps'];
    else if(m.fraction!==undefined)t+=' '+Math.round(m.fraction*100)+'%';
    if(m.epoch!==undefined)t+=' epoch '+m.epoch+(m.epochs!==undefined?'/'+m.epochs:'');
    if(m.loss!==undefined)t+=' loss '+m.loss.toFixed(4);parts.push(t);});
    el.querySelector('.live-text').textContent=parts.join(' · ');
    el.setAttribute('data-done',p.done);var m0=p.running[0]?p.running[0].metrics:{};el.setAttribute('data-step',m0.step!==undefined?m0.step:(m0.fraction||0));
    setTimeout(function(){poll(el);},1000);
    }).catch(function(){setTimeout(function(){poll(el);},2000);});}
    $$('.live[data-run]').forEach(poll);
    })();
    """
}
